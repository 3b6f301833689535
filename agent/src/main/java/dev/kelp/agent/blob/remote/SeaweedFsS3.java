package dev.kelp.agent.blob.remote;

import io.micronaut.context.annotation.Requires;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * The S3 client and presigner for SeaweedFS, built once from {@link SeaweedFsConfig}. They are
 * not beans of their own so that nobody else's S3 client (a backup target, say) is confused
 * with this one.
 */
@Singleton
@Requires(property = "kelp.seaweedfs.endpoint")
class SeaweedFsS3 implements AutoCloseable {

    private final SeaweedFsConfig config;
    private final S3Client client;
    private final S3Presigner presigner;
    private final SdkHttpClient http;
    private final PlainRequests plain;

    SeaweedFsS3(SeaweedFsConfig config) {
        this.config = config;
        AwsCredentialsProvider credentials = credentials(config);
        this.http = ApacheHttpClient.builder()
            .connectionTimeout(config.connectTimeout())
            // Bounds silences while a response body streams, which the attempt timeout does not cover.
            .socketTimeout(config.readTimeout())
            .connectionAcquisitionTimeout(config.attemptTimeoutBase())
            // Apache's own Expect: 100-continue; SendBodyAtOnce takes off the S3 client's.
            .expectContinueEnabled(false)
            .build();
        this.plain = new PlainRequests(http, config.endpoint(), config.region(), credentials);
        this.client = S3Client.builder()
            .endpointOverride(config.endpoint())
            .region(Region.of(config.region()))
            .credentialsProvider(credentials)
            // SeaweedFS serves buckets under the path, not as virtual hosts.
            .forcePathStyle(true)
            // Over plain HTTP the SDK signs the payload. Sent in signed chunks (aws-chunked) that
            // cost 444 KiB of garbage per 4 KiB write and 1.5 MiB per 1 MiB write (jstat, FULL
            // mode); unchunked, the SDK hashes the body before sending it and signs that hash once:
            // 176 KiB and 271 KiB. docs/benchmarks.md, "2026-12-02".
            .serviceConfiguration(S3Configuration.builder().chunkedEncodingEnabled(false).build())
            // SDK 2.30+ sends and checks CRC checksums by default, which SeaweedFS does not speak.
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
            // One connection pool for the S3 client and the plain requests beside it.
            .httpClient(new SendBodyAtOnce(http))
            .overrideConfiguration(o -> o
                // Retries are resilience4j's, behind the circuit breaker; SDK retries would hide failures from it.
                .retryStrategy(AwsRetryStrategy.doNotRetry())
                .apiCallAttemptTimeout(config.attemptTimeoutBase()))
            .build();
        // Spelled out rather than taken from the client: the presigner would otherwise look for a
        // region in the environment and on an EC2 metadata service that is not there.
        this.presigner = S3Presigner.builder()
            .endpointOverride(config.endpoint())
            .region(Region.of(config.region()))
            .credentialsProvider(credentials)
            .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
            .build();
    }

    S3Client client() {
        return client;
    }

    S3Presigner presigner() {
        return presigner;
    }

    /** Uploads of content stored as it is, reads and existence checks, beside the S3 client on its HTTP client. */
    PlainRequests plain() {
        return plain;
    }

    /** The time one attempt moving {@code bytes} gets. */
    Duration attemptTimeout(long bytes) {
        return config.attemptTimeout(bytes);
    }

    /** The per-request override that gives one attempt moving {@code bytes} its time. */
    AwsRequestOverrideConfiguration timeoutFor(long bytes) {
        return AwsRequestOverrideConfiguration.builder().apiCallAttemptTimeout(attemptTimeout(bytes)).build();
    }

    private static AwsCredentialsProvider credentials(SeaweedFsConfig config) {
        if (config.accessKey() == null || config.accessKey().isBlank()) {
            return AnonymousCredentialsProvider.create();
        }
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(config.accessKey(), config.secretKey()));
    }

    @PreDestroy
    @Override
    public void close() {
        presigner.close();
        client.close();
        plain.close();
        // Given to the S3 client, which does not close an HTTP client it did not build.
        http.close();
    }
}
