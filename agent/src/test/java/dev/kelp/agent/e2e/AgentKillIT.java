package dev.kelp.agent.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kelp.agent.object.ContentHash;
import dev.kelp.agent.provingground.SeaweedFsClients;
import dev.kelp.testkit.ProvingGround;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * kill -9 of the agent itself, as an OOM kill or a node loss does it: mid-upload, no partial
 * object ever becomes visible and the previous version stays intact; mid-drain, the restarted
 * agent resumes the queue and every acknowledged object reaches SeaweedFS byte for byte.
 */
class AgentKillIT {

    private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ProvingGround.Service seaweedfs = ProvingGround.service("seaweedfs");

    private final String bucket = "kill-" + Long.toString(System.nanoTime(), 36);
    private AgentProcess agent;

    @AfterEach
    void cleanUp() throws Exception {
        seaweedfs.start();
        if (agent != null) {
            agent.close();
        }
    }

    @Test
    void killedMidUploadLeavesNoPartialObjectAndThePreviousVersionIntact() throws Exception {
        Path work = Files.createTempDirectory("kelp-kill-upload");
        String config = ProvingGroundConfig.render(work.resolve("fallback"), List.of(bucket));
        agent = AgentProcess.start(work, config);
        byte[] first = Workload.body(1);
        assertThat(put("card.png", HttpRequest.BodyPublishers.ofByteArray(first)).statusCode()).isEqualTo(201);

        // A 64 MiB replacement whose client stalls after 16 MiB: the agent is killed right then.
        var halfSent = new CountDownLatch(1);
        var stalled = new PausingBody(64L << 20, 16L << 20, halfSent);
        CompletableFuture<HttpResponse<String>> upload = http.sendAsync(HttpRequest.newBuilder(uri("card.png"))
            .header("Content-Type", "image/png").PUT(HttpRequest.BodyPublishers.fromPublisher(
                HttpRequest.BodyPublishers.ofInputStream(() -> stalled), 64L << 20)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(halfSent.await(60, TimeUnit.SECONDS)).isTrue();
        Thread.sleep(300); // let the agent stage what it was sent
        agent.kill();
        stalled.giveUp();
        assertThatThrownBy(() -> upload.get(30, TimeUnit.SECONDS)).as("the killed agent acknowledged nothing");

        agent = AgentProcess.start(work, config, agent.port());
        var afterRestart = http.send(HttpRequest.newBuilder(uri("card.png")).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(afterRestart.statusCode()).isEqualTo(200);
        assertThat(ContentHash.ofBytes(afterRestart.body())).as("the acknowledged version, whole").isEqualTo(ContentHash.ofBytes(first));
        var listing = http.send(HttpRequest.newBuilder(URI.create(agent.baseUrl() + "/v1/objects/" + bucket)).build(),
            HttpResponse.BodyHandlers.ofString()).body();
        assertThat(listing).contains("\"key\":\"card.png\"").contains("\"size\":" + first.length);
        try (var staging = Files.list(work.resolve("fallback/staging"))) {
            assertThat(staging.toList()).as("the half-staged body is swept at startup").isEmpty();
        }
    }

    @Test
    void killedMidDrainResumesTheQueueAfterRestartAndLosesNothing() throws Exception {
        int objects = 400;
        Path work = Files.createTempDirectory("kelp-kill-drain");
        // One upload at a time, so the drain takes long enough to be killed in the middle.
        String config = ProvingGroundConfig.render(work.resolve("fallback"), List.of(bucket)) + "  sync:\n    concurrency: 1\n";
        agent = AgentProcess.start(work, config);
        seaweedfs.kill();
        for (int i = 0; i < objects; i++) {
            byte[] body = drainBody(i);
            var response = put("queued/" + i, HttpRequest.BodyPublishers.ofByteArray(body));
            assertThat(response.statusCode()).as("PUT %d during the outage: %s", i, response.body()).isEqualTo(201);
        }
        assertThat(pending()).isEqualTo(objects);

        seaweedfs.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        long left;
        do {
            left = pending();
            Thread.sleep(20);
        } while (left == objects && System.nanoTime() < deadline);
        agent.kill();
        assertThat(left).as("killed with the drain under way").isBetween(1L, (long) objects - 1);

        agent = AgentProcess.start(work, config, agent.port());
        deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (pending() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertThat(pending()).as("the restarted agent drained the rest").isZero();
        System.out.printf("agent kill IT: killed mid-drain with %d of %d still queued; restart drained the rest%n", left, objects);

        try (S3Client s3 = SeaweedFsClients.direct()) {
            for (int i = 0; i < objects; i++) {
                ContentHash hash = ContentHash.ofBytes(drainBody(i));
                byte[] stored = s3.getObjectAsBytes(b -> b.bucket(bucket).key("blobs/" + hash.shardedPath())).asByteArray();
                assertThat(ContentHash.ofBytes(stored)).as("object %d on SeaweedFS", i).isEqualTo(hash);
            }
        }
        var again = http.send(HttpRequest.newBuilder(uri("queued/7")).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(again.body()).isEqualTo(drainBody(7));
    }

    @Test
    void killedMidMultipartPartKeepsTheAcknowledgedPartsAndTheUploadCompletesAfterRestart() throws Exception {
        Path work = Files.createTempDirectory("kelp-kill-mpu");
        String config = ProvingGroundConfig.render(work.resolve("fallback"), List.of(bucket));
        agent = AgentProcess.start(work, config);
        var started = http.send(HttpRequest.newBuilder(URI.create(agent.baseUrl() + "/v1/uploads/" + bucket + "/video.bin"))
            .header("Content-Type", "application/octet-stream").POST(HttpRequest.BodyPublishers.noBody()).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(started.statusCode()).isEqualTo(201);
        String uploadId = started.body().replaceAll(".*\"uploadId\":\"([^\"]+)\".*", "$1");
        byte[] part1 = partBody(1);
        byte[] part2 = partBody(2);
        assertThat(putPart(uploadId, 1, HttpRequest.BodyPublishers.ofByteArray(part1)).statusCode()).isEqualTo(200);

        // Part 2 stalls half-way through and the agent is killed right then.
        var halfSent = new CountDownLatch(1);
        var stalled = new PausingBody(part2.length, part2.length / 2, halfSent);
        CompletableFuture<HttpResponse<String>> inFlight = http.sendAsync(HttpRequest.newBuilder(partUri(uploadId, 2))
            .PUT(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> stalled), part2.length)).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(halfSent.await(60, TimeUnit.SECONDS)).isTrue();
        Thread.sleep(300);
        agent.kill();
        stalled.giveUp();
        assertThatThrownBy(() -> inFlight.get(30, TimeUnit.SECONDS)).as("the killed agent acknowledged nothing of part 2");

        agent = AgentProcess.start(work, config, agent.port());
        var listed = http.send(HttpRequest.newBuilder(URI.create(agent.baseUrl() + "/v1/uploads/" + uploadId)).build(),
            HttpResponse.BodyHandlers.ofString()).body();
        assertThat(listed).as("after restart the upload holds part 1 only").contains("\"partNumber\":1").doesNotContain("\"partNumber\":2");
        assertThat(putPart(uploadId, 2, HttpRequest.BodyPublishers.ofByteArray(part2)).statusCode()).isEqualTo(200);
        String parts = "[{\"partNumber\":1,\"etag\":\"%s\"},{\"partNumber\":2,\"etag\":\"%s\"}]"
            .formatted(ContentHash.ofBytes(part1).hex(), ContentHash.ofBytes(part2).hex());
        var completed = http.send(HttpRequest.newBuilder(URI.create(agent.baseUrl() + "/v1/uploads/" + uploadId + "/complete"))
            .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(parts)).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(completed.statusCode()).as("complete after restart: %s", completed.body()).isEqualTo(201);

        byte[] whole = new byte[part1.length + part2.length];
        System.arraycopy(part1, 0, whole, 0, part1.length);
        System.arraycopy(part2, 0, whole, part1.length, part2.length);
        var read = http.send(HttpRequest.newBuilder(uri("video.bin")).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(ContentHash.ofBytes(read.body())).isEqualTo(ContentHash.ofBytes(whole));
        try (S3Client s3 = SeaweedFsClients.direct()) {
            byte[] stored = s3.getObjectAsBytes(b -> b.bucket(bucket).key("blobs/" + ContentHash.ofBytes(whole).shardedPath())).asByteArray();
            assertThat(ContentHash.ofBytes(stored)).as("the object on SeaweedFS").isEqualTo(ContentHash.ofBytes(whole));
        }
    }

    private static byte[] partBody(int n) {
        byte[] body = new byte[(8 << 20) + n * 4096];
        new java.util.SplittableRandom(n * 104729L).nextBytes(body);
        return body;
    }

    private URI partUri(String uploadId, int n) {
        return URI.create(agent.baseUrl() + "/v1/uploads/" + uploadId + "/parts/" + n);
    }

    private HttpResponse<String> putPart(String uploadId, int n, HttpRequest.BodyPublisher body) throws Exception {
        return http.send(HttpRequest.newBuilder(partUri(uploadId, n)).PUT(body).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static byte[] drainBody(int i) {
        byte[] body = new byte[128 * 1024];
        new java.util.SplittableRandom(i * 7919L).nextBytes(body);
        return body;
    }

    private URI uri(String key) {
        return URI.create(agent.baseUrl() + "/v1/objects/" + bucket + "/" + key);
    }

    private HttpResponse<String> put(String key, HttpRequest.BodyPublisher body) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(key)).header("Content-Type", "application/octet-stream").PUT(body).build(),
            HttpResponse.BodyHandlers.ofString());
    }

    private long pending() {
        return agent.pendingObjects();
    }
}
