package dev.kelp.agent.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * An S3 key pair from a mounted Secret: files {@code accessKey} and {@code secretKey} in one
 * directory, as the operator mounts a target's credentials Secret (docs/backups.md). Read at
 * every request the SDK signs, so a key rotated in the Secret is used as soon as the kubelet
 * has updated the files, without a restart.
 */
public final class MountedCredentials implements AwsCredentialsProvider {

    private final Path dir;
    private final String secret;

    /**
     * @param dir    where the Secret's keys are
     * @param secret the Secret's name, for the messages people read
     */
    public MountedCredentials(Path dir, String secret) {
        this.dir = dir;
        this.secret = secret == null ? dir.getFileName().toString() : secret;
    }

    @Override
    public AwsCredentials resolveCredentials() {
        return AwsBasicCredentials.create(read("accessKey"), read("secretKey"));
    }

    private String read(String key) {
        Path file = dir.resolve(key);
        try {
            String value = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (value.isEmpty()) {
                throw SdkClientException.create("key " + key + " of Secret " + secret + " is empty (" + file + ")");
            }
            return value;
        } catch (NoSuchFileException e) {
            throw SdkClientException.create("Secret " + secret + " has no key " + key + " mounted at " + file
                + ": check that the Secret exists with keys accessKey and secretKey; a Secret first named after the pod"
                + " started is mounted only when the pod is re-created");
        } catch (IOException e) {
            throw SdkClientException.create("cannot read key " + key + " of Secret " + secret + " from " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "MountedCredentials(" + secret + " at " + dir + ")";
    }
}
