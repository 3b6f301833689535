package dev.kelp.agent.provingground;

import dev.kelp.testkit.ProvingGround;
import java.net.URI;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/** A plain S3 client straight to the proving ground's SeaweedFS, for checking what really landed there. */
public final class SeaweedFsClients {

    private SeaweedFsClients() {
    }

    public static S3Client direct() {
        return S3Client.builder()
            .endpointOverride(URI.create(ProvingGround.require("KELP_S3_ENDPOINT")))
            .region(Region.of(ProvingGround.require("KELP_S3_REGION")))
            .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                ProvingGround.require("KELP_S3_ACCESS_KEY"), ProvingGround.require("KELP_S3_SECRET_KEY"))))
            .forcePathStyle(true)
            // SDK 2.30+ sends CRC checksums by default, which SeaweedFS does not speak.
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
            .httpClient(UrlConnectionHttpClient.create())
            .build();
    }
}
