package dev.kelp.agent.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.agent.object.ContentHash;
import dev.kelp.agent.provingground.SeaweedFsClients;
import dev.kelp.testkit.ProvingGround;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * SIGTERM, what the kubelet sends a native sidecar after the app has stopped: the agent
 * finishes the uploads in flight, then empties its fallback queue to SeaweedFS while it
 * still can, and only then exits, so an emptyDir fallback volume goes with nothing on it.
 */
class AgentShutdownIT {

    private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String bucket = "stop-" + Long.toString(System.nanoTime(), 36);
    private AgentProcess agent;
    private TcpGate gate;

    @AfterEach
    void cleanUp() throws Exception {
        if (agent != null) {
            agent.close();
        }
        if (gate != null) {
            gate.close();
        }
    }

    @Test
    void sigtermLetsTheUploadInFlightFinishAndBeAcknowledged() throws Exception {
        Path work = Files.createTempDirectory("kelp-stop-upload");
        String config = ProvingGroundConfig.render(work.resolve("fallback"), List.of(bucket));
        agent = AgentProcess.start(work, config);
        var forced = http.send(HttpRequest.newBuilder(URI.create(agent.baseUrl() + "/v1/sync")).POST(HttpRequest.BodyPublishers.noBody()).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(forced.statusCode()).as("POST /v1/sync while FULL: %s", forced.body()).isEqualTo(202);
        assertThat(forced.body()).contains("\"objects\":0");

        // 24 MiB whose client pauses after 8 MiB: SIGTERM arrives in the pause.
        long size = 24L << 20;
        var paused = new CountDownLatch(1);
        var body = new PausingBody(size, 8L << 20, paused);
        CompletableFuture<HttpResponse<String>> upload = http.sendAsync(HttpRequest.newBuilder(uri("big.bin"))
            .header("Content-Type", "application/octet-stream").PUT(HttpRequest.BodyPublishers.fromPublisher(
                HttpRequest.BodyPublishers.ofInputStream(() -> body), size)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(paused.await(60, TimeUnit.SECONDS)).isTrue();
        agent.terminate();
        Thread.sleep(500);
        body.resume();

        var response = upload.get(60, TimeUnit.SECONDS);
        assertThat(response.statusCode()).as("the upload in flight at SIGTERM: %s", response.body()).isEqualTo(201);
        assertThat(agent.awaitExit(Duration.ofSeconds(60))).as("exit code after SIGTERM").isIn(0, 143);

        agent = AgentProcess.start(work, config, agent.port());
        var read = http.send(HttpRequest.newBuilder(uri("big.bin")).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(read.statusCode()).isEqualTo(200);
        try (InputStream in = read.body()) {
            assertThat(sha256(in)).isEqualTo(sha256(PausingBody.whole(size)));
        }
    }

    @Test
    void sigtermDrainsTheFallbackQueueToSeaweedFsBeforeExiting() throws Exception {
        int objects = 150;
        URI s3 = URI.create(ProvingGround.require("KELP_S3_ENDPOINT"));
        gate = new TcpGate(s3.getHost(), s3.getPort());
        Path work = Files.createTempDirectory("kelp-stop-drain");
        String config = ProvingGroundConfig.render(work.resolve("fallback"), List.of(bucket))
            .replace(s3.toString(), "http://127.0.0.1:" + gate.port())
            + "  sync:\n    concurrency: 1\n";
        agent = AgentProcess.start(work, config);
        agent.awaitMode("FALLBACK", Duration.ofSeconds(30));
        for (int i = 0; i < objects; i++) {
            var response = http.send(HttpRequest.newBuilder(uri("queued/" + i)).header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body(i))).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as("PUT %d while SeaweedFS is out of reach: %s", i, response.body()).isEqualTo(201);
        }

        var notNow = http.send(HttpRequest.newBuilder(URI.create(agent.baseUrl() + "/v1/sync")).POST(HttpRequest.BodyPublishers.noBody()).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(notNow.statusCode()).as("POST /v1/sync while SeaweedFS is out of reach").isEqualTo(409);
        assertThat(notNow.body()).contains("NotFull").contains("drains by itself");

        gate.open();
        agent.awaitMode("FULL", Duration.ofSeconds(30));
        long pendingAtSigterm = agent.pendingObjects();
        agent.terminate();
        agent.awaitExit(Duration.ofSeconds(60));

        assertThat(pendingAtSigterm).as("SIGTERM came with the queue still full enough to matter").isGreaterThan(objects / 2);
        assertThat(agent.log()).contains("stopping with nothing left to sync");
        try (S3Client direct = SeaweedFsClients.direct()) {
            for (int i = 0; i < objects; i++) {
                ContentHash hash = ContentHash.ofBytes(body(i));
                byte[] stored = direct.getObjectAsBytes(b -> b.bucket(bucket).key("blobs/" + hash.shardedPath())).asByteArray();
                assertThat(ContentHash.ofBytes(stored)).as("object %d on SeaweedFS", i).isEqualTo(hash);
            }
        }
        try (var queue = Files.walk(work.resolve("fallback/blobs"))) {
            assertThat(queue.filter(Files::isRegularFile).toList()).as("local copies released").isEmpty();
        }
        System.out.printf("agent shutdown IT: SIGTERM with %d of %d objects queued; all on SeaweedFS at exit%n", pendingAtSigterm, objects);
    }

    private static ContentHash sha256(InputStream in) throws IOException {
        try {
            var digest = java.security.MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                digest.update(buffer, 0, n);
            }
            return ContentHash.of(digest);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] body(int i) {
        byte[] body = new byte[256 * 1024];
        new SplittableRandom(i * 31L + 7).nextBytes(body);
        return body;
    }

    private URI uri(String key) {
        return URI.create(agent.baseUrl() + "/v1/objects/" + bucket + "/" + key);
    }
}
