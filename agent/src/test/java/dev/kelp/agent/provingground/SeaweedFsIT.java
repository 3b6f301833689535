package dev.kelp.agent.provingground;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.testkit.ProvingGround;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/** The proving ground's SeaweedFS answers the S3 API through aws-sdk-java-v2. */
class SeaweedFsIT {

    static S3Client client() {
        return SeaweedFsClients.direct();
    }

    @Test
    void putThenGetReturnsTheSameBytes() throws Exception {
        byte[] body = new byte[3 * 1024 * 1024 + 17];
        new Random(42).nextBytes(body);
        try (S3Client s3 = client()) {
            String bucket = "it-seaweedfs-" + System.nanoTime();
            s3.createBucket(b -> b.bucket(bucket));
            s3.putObject(b -> b.bucket(bucket).key("dir/object.bin").contentType("application/octet-stream"),
                RequestBody.fromBytes(body));

            byte[] read = s3.getObjectAsBytes(b -> b.bucket(bucket).key("dir/object.bin")).asByteArray();

            assertThat(sha256(read)).isEqualTo(sha256(body));
            assertThat(s3.listObjectsV2(b -> b.bucket(bucket).prefix("dir/")).contents())
                .singleElement().satisfies(o -> assertThat(o.size()).isEqualTo(body.length));

            s3.deleteObject(b -> b.bucket(bucket).key("dir/object.bin"));
            s3.deleteBucket(b -> b.bucket(bucket));
        }
    }

    @Test
    void aMissingKeyIsNoSuchKey() {
        try (S3Client s3 = client()) {
            String bucket = "it-missing-" + System.nanoTime();
            s3.createBucket(b -> b.bucket(bucket));
            org.assertj.core.api.Assertions.assertThatThrownBy(
                    () -> s3.getObjectAsBytes(b -> b.bucket(bucket).key("absent")))
                .isInstanceOf(NoSuchKeyException.class);
            s3.deleteBucket(b -> b.bucket(bucket));
        }
    }

    @Test
    void wrongCredentialsAreRefused() {
        try (S3Client s3 = S3Client.builder()
            .endpointOverride(URI.create(ProvingGround.require("KELP_S3_ENDPOINT")))
            .region(Region.of(ProvingGround.require("KELP_S3_REGION")))
            .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("nobody", "wrong-secret")))
            .forcePathStyle(true)
            .httpClient(UrlConnectionHttpClient.create())
            .build()) {
            org.assertj.core.api.Assertions.assertThatThrownBy(
                    () -> s3.putObject(b -> b.bucket("anything").key("k"), RequestBody.fromString("x", StandardCharsets.UTF_8)))
                .hasMessageContaining("403");
        }
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
