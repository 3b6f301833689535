package dev.kelp.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.exception.SdkClientException;

class MountedCredentialsTest {

    @TempDir
    Path dir;

    @Test
    void readsTheKeysAndFollowsARotation() throws Exception {
        Files.writeString(dir.resolve("accessKey"), "AKIAFIRST\n");
        Files.writeString(dir.resolve("secretKey"), "first-secret\n");
        var credentials = new MountedCredentials(dir, "backup-target");
        assertThat(credentials.resolveCredentials().accessKeyId()).isEqualTo("AKIAFIRST");
        assertThat(credentials.resolveCredentials().secretAccessKey()).isEqualTo("first-secret");

        Files.writeString(dir.resolve("accessKey"), "AKIASECOND");
        Files.writeString(dir.resolve("secretKey"), "second-secret");
        assertThat(credentials.resolveCredentials().accessKeyId()).isEqualTo("AKIASECOND");
        assertThat(credentials.resolveCredentials().secretAccessKey()).isEqualTo("second-secret");
    }

    @Test
    void aMissingSecretSaysWhichAndWhy() {
        var credentials = new MountedCredentials(dir.resolve("offsite"), "offsite");
        assertThatThrownBy(credentials::resolveCredentials).isInstanceOf(SdkClientException.class)
            .hasMessageContaining("Secret offsite has no key accessKey")
            .hasMessageContaining("re-created");
    }

    @Test
    void anEmptyKeyIsRefused() throws Exception {
        Files.writeString(dir.resolve("accessKey"), "  \n");
        Files.writeString(dir.resolve("secretKey"), "s");
        assertThatThrownBy(() -> new MountedCredentials(dir, "t").resolveCredentials())
            .hasMessageContaining("key accessKey of Secret t is empty");
    }
}
