package dev.kelp.agent.s3;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM while an S3 upload is still streaming: the endpoint stops accepting, lets the upload
 * finish and be acknowledged, then the agent exits; the object is there after a restart. Runs
 * with {@code kelp.s3.auth: none}, which is also the check that the unsigned mode works.
 */
class S3ShutdownIT {

    private static final String BUCKET = "s3stop-" + Long.toString(System.currentTimeMillis(), 36);

    @Test
    void anUploadInFlightFinishesBeforeTheAgentExits() throws Exception {
        Path work = Files.createTempDirectory("kelp-s3-shutdown-it");
        Map<String, String> props = Map.of("kelp.s3.auth", "none");
        var agent = S3AgentProcess.start(work, List.of(BUCKET), props);
        byte[] chunk = new byte[64 * 1024];
        new java.util.Random(3).nextBytes(chunk);
        int chunks = 40; // 2.5 MiB over about 4 s
        var halfway = new java.util.concurrent.CountDownLatch(1);
        var http = HttpClient.newHttpClient();
        var request = HttpRequest.newBuilder(URI.create(agent.endpoint() + "/" + BUCKET + "/slow.bin"))
            .PUT(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> new Trickle(chunk, chunks, halfway)),
                (long) chunk.length * chunks))
            .build();
        // Unsigned requests are served, and still refused for what the engine refuses.
        var other = http.send(HttpRequest.newBuilder(URI.create(agent.endpoint() + "/not-configured/x")).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(other.statusCode()).isEqualTo(404);
        assertThat(other.body()).contains("<Code>NoSuchBucket</Code>");

        CompletableFuture<HttpResponse<String>> upload = http.sendAsync(request, HttpResponse.BodyHandlers.ofString());
        assertThat(halfway.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        agent.terminate();
        HttpResponse<String> response = upload.get();
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(agent.awaitExit(Duration.ofSeconds(60))).isIn(0, 143);
        assertThat(agent.log()).contains("S3 endpoint stopped accepting; 1 requests in flight finish first");

        // Acknowledged means stored: on SeaweedFS, read there directly.
        var whole = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < chunks; i++) {
            whole.writeBytes(chunk);
        }
        var hash = dev.kelp.agent.object.ContentHash.ofBytes(whole.toByteArray());
        try (var direct = dev.kelp.agent.provingground.SeaweedFsClients.direct()) {
            byte[] stored = direct.getObjectAsBytes(b -> b.bucket(BUCKET).key("blobs/" + hash.shardedPath())).asByteArray();
            assertThat(dev.kelp.agent.object.ContentHash.ofBytes(stored)).isEqualTo(hash);
        }
    }

    /** A body that arrives slowly, like a phone's upload: at most one chunk per read, a pause before each. */
    private static final class Trickle extends InputStream {
        private final byte[] chunk;
        private final long total;
        private final java.util.concurrent.CountDownLatch halfway;
        private long left;

        Trickle(byte[] chunk, int chunks, java.util.concurrent.CountDownLatch halfway) {
            this.chunk = chunk;
            this.total = (long) chunk.length * chunks;
            this.left = total;
            this.halfway = halfway;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left == 0) {
                return -1;
            }
            S3AgentProcess.sleep(100);
            long done = total - left;
            int n = (int) Math.min(Math.min(len, chunk.length - done % chunk.length), left);
            System.arraycopy(chunk, (int) (done % chunk.length), b, off, n);
            left -= n;
            if (left <= total / 2) {
                halfway.countDown();
            }
            return n;
        }
    }
}
