package dev.kelp.agent.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.agent.object.ContentHash;
import dev.kelp.agent.provingground.SeaweedFsClients;
import dev.kelp.testkit.FreePorts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The S3 door reads cold objects as the native API does (one ObjectService): objects an S3 SDK
 * wrote are tiered cold by the packaged agent on the real SeaweedFS and PostgreSQL, then read back
 * through the S3 endpoint, whole and by range, with promote-on-read off, so they stay cold.
 */
class S3ColdReadIT {

    private static final String RUN = Long.toString(System.currentTimeMillis(), 36);
    private static final String BUCKET = "s3cold-" + RUN;
    private static final String COLD = "s3cold-target-" + RUN;
    private static S3AgentProcess agent;
    private static int apiPort;

    @BeforeAll
    static void start() throws Exception {
        apiPort = FreePorts.take();
        agent = S3AgentProcess.start(Files.createTempDirectory("kelp-s3-cold"), List.of(BUCKET), Map.of(
            "micronaut.server.port", Integer.toString(apiPort),
            "kelp.tiering.promote-on-read", "false",
            "kelp.tiering.interval", "1h",
            "kelp.tiering.rules[0].name", "all",
            "kelp.tiering.rules[0].cold-after", "2s",
            "kelp.tiering.rules[0].target.bucket", COLD));
    }

    @AfterAll
    static void stop() throws Exception {
        if (agent != null) {
            agent.close();
        }
    }

    @Test
    void coldObjectsReadBackThroughTheS3EndpointAndStayColdWithoutPromotion() throws Exception {
        var written = new LinkedHashMap<String, byte[]>();
        var random = new SplittableRandom(3);
        try (S3Client s3 = agent.client(true)) {
            for (int i = 0; i < 3; i++) {
                byte[] body = new byte[100_000 + i];
                random.nextBytes(body);
                String key = "photos/" + i + ".bin";
                written.put(key, body);
                s3.putObject(b -> b.bucket(BUCKET).key(key).contentType("application/octet-stream"), RequestBody.fromBytes(body));
            }
        }
        Thread.sleep(2_200);
        var run = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + "/v1/tiering/rules/all/run"))
            .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(run.body()).contains("\"phase\":\"Succeeded\"", "\"objectsMoved\":3");

        try (S3Client s3 = agent.client(true); S3Client direct = SeaweedFsClients.direct()) {
            for (var e : written.entrySet()) {
                assertThat(hotExists(direct, ContentHash.ofBytes(e.getValue()))).as(e.getKey() + " hot copy released").isFalse();
                assertThat(s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(e.getKey())).asByteArray()).as(e.getKey()).isEqualTo(e.getValue());
                assertThat(s3.headObject(b -> b.bucket(BUCKET).key(e.getKey())).contentLength()).isEqualTo(e.getValue().length);
                byte[] range = s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(e.getKey()).range("bytes=5000-5999")).asByteArray();
                assertThat(range).isEqualTo(Arrays.copyOfRange(e.getValue(), 5000, 6000));
            }
            assertThat(s3.listObjectsV2(b -> b.bucket(BUCKET)).contents()).extracting(S3Object::key)
                .containsExactlyElementsOf(written.keySet());
            Thread.sleep(1_000);
            for (var e : written.entrySet()) {
                assertThat(hotExists(direct, ContentHash.ofBytes(e.getValue()))).as(e.getKey() + ": promote-on-read is off").isFalse();
            }
            assertThat(direct.listObjectsV2(b -> b.bucket(COLD).prefix(BUCKET + "/blobs/")).contents()).hasSize(3);
        }
    }

    private static boolean hotExists(S3Client direct, ContentHash hash) {
        try {
            direct.headObject(b -> b.bucket(BUCKET).key("blobs/" + hash.shardedPath()));
            return true;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw e;
        }
    }
}
