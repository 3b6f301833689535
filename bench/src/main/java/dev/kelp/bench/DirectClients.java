package dev.kelp.bench;

import static dev.kelp.bench.AgentVsSeaweedFs.env;

import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * What a harness talks to SeaweedFS with, from the proving ground's {@code KELP_S3_*}: the one
 * HTTP client both sides of a comparison send through, an S3 client for setting up (buckets)
 * and looking behind the agent's back, and the presigner that signs the direct side's requests.
 */
record DirectClients(SdkHttpClient http, S3Client s3, S3Presigner presigner) implements AutoCloseable {

    static DirectClients fromEnvironment() {
        var credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create(env("KELP_S3_ACCESS_KEY"), env("KELP_S3_SECRET_KEY")));
        URI endpoint = URI.create(env("KELP_S3_ENDPOINT"));
        Region region = Region.of(env("KELP_S3_REGION"));
        return new DirectClients(
            ApacheHttpClient.builder().maxConnections(64).socketTimeout(Duration.ofMinutes(2)).build(),
            S3Client.builder().endpointOverride(endpoint).region(region).credentialsProvider(credentials).forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED).build(),
            S3Presigner.builder().endpointOverride(endpoint).region(region).credentialsProvider(credentials)
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build()).build());
    }

    @Override
    public void close() {
        presigner.close();
        s3.close();
        http.close();
    }
}
