package dev.kelp.agent.s3;

import java.net.URI;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/** aws-sdk-java-v2 as the S3 tests point it at an agent: path-style, one key pair, the Apache client. */
final class S3SdkClients {

    private S3SdkClients() {
    }

    static S3Client of(String endpoint, String keyId, String secret) {
        return S3Client.builder().region(Region.US_EAST_1).endpointOverride(URI.create(endpoint)).forcePathStyle(true)
            .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(keyId, secret)))
            .httpClient(ApacheHttpClient.create()).build();
    }

    static S3Client onLoopback(int port, String keyId, String secret) {
        return of("http://127.0.0.1:" + port, keyId, secret);
    }
}
