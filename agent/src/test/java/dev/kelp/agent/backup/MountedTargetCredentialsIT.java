package dev.kelp.agent.backup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.agent.object.ObjectService;
import dev.kelp.agent.object.PutRequest;
import dev.kelp.testkit.ProvingGround;
import io.micronaut.context.ApplicationContext;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A backup target on "another" S3 endpoint (the real SeaweedFS, named by URL as a remote one
 * would be) with its keys in a mounted Secret, as the webhook mounts a target's
 * credentialsSecret: the run signs with the files' keys, and a key changed in the files is
 * used by the next run without a restart, wrong or right.
 */
class MountedTargetCredentialsIT {

    private static final String BUCKET = "mounted-" + Long.toString(System.currentTimeMillis(), 36);

    @Test
    void runsSignWithTheMountedKeysAndFollowTheirRotation() throws Exception {
        Path dir = Files.createTempDirectory("kelp-mounted-credentials");
        Path secret = Files.createDirectories(dir.resolve("targets/offsite"));
        writeKeys(secret, ProvingGround.require("KELP_S3_ACCESS_KEY"), ProvingGround.require("KELP_S3_SECRET_KEY"));
        var schedule = Map.of("name", "offsite", "schedule", "0 3 * * *",
            "target", Map.of("bucket", BUCKET + "-backups", "endpoint", ProvingGround.require("KELP_S3_ENDPOINT"),
                "region", ProvingGround.require("KELP_S3_REGION"),
                "credentials-secret", "offsite", "credentials-dir", secret.toString()));
        try (var context = ApplicationContext.run(Map.ofEntries(
                Map.entry("kelp.fallback.dir", dir.resolve("fallback").toString()),
                Map.entry("kelp.storage.buckets", List.of(BUCKET)),
                Map.entry("kelp.seaweedfs.endpoint", ProvingGround.require("KELP_S3_ENDPOINT")),
                Map.entry("kelp.seaweedfs.region", ProvingGround.require("KELP_S3_REGION")),
                Map.entry("kelp.seaweedfs.access-key", ProvingGround.require("KELP_S3_ACCESS_KEY")),
                Map.entry("kelp.seaweedfs.secret-key", ProvingGround.require("KELP_S3_SECRET_KEY")),
                Map.entry("kelp.backups.schedules", List.of(schedule))))) {
            byte[] body = "backed up with mounted keys".getBytes(StandardCharsets.UTF_8);
            context.getBean(ObjectService.class).put(new PutRequest(BUCKET, "a.txt", "text/plain", body.length, Map.of(), null, null),
                new ByteArrayInputStream(body));
            var runner = context.getBean(BackupRunner.class);
            var config = context.getBean(BackupSchedules.class).require("offsite");

            assertThat(runner.runIfLeaseFree(config)).hasValueSatisfying(run -> {
                assertThat(run.phase()).as(run.message()).isEqualTo(BackupManifest.SUCCEEDED);
                assertThat(run.objects()).isEqualTo(1);
            });

            writeKeys(secret, ProvingGround.require("KELP_S3_ACCESS_KEY"), "rotated-to-a-wrong-secret");
            assertThat(runner.runIfLeaseFree(config)).as("the changed file is read, not a key remembered at start")
                .hasValueSatisfying(run -> assertThat(run.phase()).isEqualTo(BackupManifest.FAILED));

            Files.delete(secret.resolve("accessKey"));
            assertThat(runner.runIfLeaseFree(config)).hasValueSatisfying(run -> {
                assertThat(run.phase()).isEqualTo(BackupManifest.FAILED);
                assertThat(run.message()).contains("Secret offsite has no key accessKey");
            });

            writeKeys(secret, ProvingGround.require("KELP_S3_ACCESS_KEY"), ProvingGround.require("KELP_S3_SECRET_KEY"));
            assertThat(runner.runIfLeaseFree(config)).hasValueSatisfying(run -> assertThat(run.phase()).isEqualTo(BackupManifest.SUCCEEDED));
        }
    }

    private static void writeKeys(Path secret, String accessKey, String secretKey) throws Exception {
        Files.writeString(secret.resolve("accessKey"), accessKey);
        Files.writeString(secret.resolve("secretKey"), secretKey);
    }
}
