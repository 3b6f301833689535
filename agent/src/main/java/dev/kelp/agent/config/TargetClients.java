package dev.kelp.agent.config;

import java.net.URI;
import java.nio.file.Path;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyExistsException;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The S3 client for a bucket the agent writes to besides its own (a backup or cold-storage
 * target, on the policy's SeaweedFS or another endpoint). Unlike the agent's SeaweedFS client it
 * is not behind the circuit breaker and keeps the SDK's own retries: a run that cannot reach its
 * target fails and says so.
 */
public final class TargetClients {

    private TargetClients() {
    }

    public static S3Client s3(URI endpoint, String region, AwsCredentialsProvider credentials) {
        return S3Client.builder()
            .endpointOverride(endpoint)
            .region(Region.of(region))
            .credentialsProvider(credentials)
            // SeaweedFS, MinIO and most S3 services besides AWS serve buckets under the path.
            .forcePathStyle(true)
            // SDK 2.30+ sends and checks CRC checksums by default, which SeaweedFS does not speak.
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
            .httpClient(ApacheHttpClient.builder().build())
            .build();
    }

    /**
     * The keys for a target: given in the configuration, else read from its mounted Secret at
     * each request (so a rotated key is used without a restart), else none (anonymous).
     */
    public static AwsCredentialsProvider credentials(String accessKey, String secretKey, Path credentialsDir, String credentialsSecret) {
        if (accessKey != null && !accessKey.isBlank()) {
            return StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey));
        }
        return credentialsDir != null ? new MountedCredentials(credentialsDir, credentialsSecret) : AnonymousCredentialsProvider.create();
    }

    /** Creates the bucket if it is not there, as the agent does with its own buckets on SeaweedFS. */
    public static void ensureBucket(S3Client client, String bucket) {
        try {
            client.headBucket(b -> b.bucket(bucket));
        } catch (S3Exception e) {
            if (e.statusCode() != 404) {
                throw e;
            }
            try {
                client.createBucket(b -> b.bucket(bucket));
            } catch (BucketAlreadyOwnedByYouException | BucketAlreadyExistsException raced) {
                // another agent made it first
            }
        }
    }
}
