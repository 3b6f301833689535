package dev.kelp.agent.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.agent.object.ContentHash;
import dev.kelp.agent.provingground.SeaweedFsClients;
import dev.kelp.testkit.ProvingGround;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A multipart upload on the packaged agent with SeaweedFS killed between its parts: the
 * complete is acknowledged from the fallback volume, and once SeaweedFS is back the object
 * drains there and is byte for byte the concatenation of its parts, checked on SeaweedFS.
 */
class MultipartUploadIT {

    private static final String BUCKET = "mpu-" + Long.toString(System.currentTimeMillis(), 36);
    private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ProvingGround.Service seaweedfs = ProvingGround.service("seaweedfs");
    private static AgentProcess agent;

    @BeforeAll
    static void startAgent() throws Exception {
        seaweedfs.start();
        Path work = Files.createTempDirectory("kelp-mpu-it");
        agent = AgentProcess.start(work, ProvingGroundConfig.render(work.resolve("fallback"), List.of(BUCKET)));
    }

    @AfterAll
    static void stopAgent() throws Exception {
        seaweedfs.start();
        if (agent != null) {
            agent.close();
        }
    }

    @Test
    void anUploadSpanningASeaweedFsOutageCompletesAndDrainsByteForByte() throws Exception {
        byte[] part1 = bytes(1, 6 << 20);
        byte[] part2 = bytes(2, 3 << 20);
        var initiated = send("POST", "/v1/uploads/" + BUCKET + "/videos/clip.mp4", HttpRequest.BodyPublishers.noBody(), "video/mp4");
        assertThat(initiated.statusCode()).as(initiated.body()).isEqualTo(201);
        String upload = initiated.body().replaceAll(".*\"uploadId\":\"([^\"]+)\".*", "$1");

        assertThat(send("PUT", "/v1/uploads/" + upload + "/parts/1", HttpRequest.BodyPublishers.ofByteArray(part1), "application/octet-stream")
            .statusCode()).isEqualTo(200);
        seaweedfs.kill();
        assertThat(send("PUT", "/v1/uploads/" + upload + "/parts/2", HttpRequest.BodyPublishers.ofByteArray(part2), "application/octet-stream")
            .statusCode()).isEqualTo(200);
        String parts = "[{\"partNumber\":1,\"etag\":\"" + ContentHash.ofBytes(part1).hex() + "\"},"
            + "{\"partNumber\":2,\"etag\":\"" + ContentHash.ofBytes(part2).hex() + "\"}]";
        var completed = send("POST", "/v1/uploads/" + upload + "/complete", HttpRequest.BodyPublishers.ofString(parts), "application/json");
        assertThat(completed.statusCode()).as(completed.body()).isEqualTo(201);

        var whole = new ByteArrayOutputStream();
        whole.write(part1);
        whole.write(part2);
        ContentHash expected = ContentHash.ofBytes(whole.toByteArray());
        assertThat(completed.headers().firstValue("ETag")).contains("\"" + expected.hex() + "\"");
        var duringOutage = http.send(HttpRequest.newBuilder(URI.create(agent.baseUrl() + "/v1/objects/" + BUCKET + "/videos/clip.mp4")).build(),
            HttpResponse.BodyHandlers.ofByteArray());
        assertThat(duringOutage.statusCode()).isEqualTo(200);
        assertThat(ContentHash.ofBytes(duringOutage.body())).isEqualTo(expected);

        seaweedfs.start();
        agent.awaitDrained(Duration.ofMinutes(2));
        try (S3Client s3 = SeaweedFsClients.direct()) {
            byte[] stored = s3.getObjectAsBytes(b -> b.bucket(BUCKET).key("blobs/" + expected.shardedPath())).asByteArray();
            assertThat(ContentHash.ofBytes(stored)).isEqualTo(expected);
        }
    }

    private static byte[] bytes(long seed, int size) {
        byte[] b = new byte[size];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    private static HttpResponse<String> send(String method, String path, HttpRequest.BodyPublisher body, String contentType) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(agent.baseUrl() + path)).header("Content-Type", contentType)
            .method(method, body).build(), HttpResponse.BodyHandlers.ofString());
    }
}
