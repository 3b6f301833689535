package dev.kelp.agent.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.agent.object.ContentHash;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A 1 GiB object through the packaged agent, whose heap is capped at 256 MiB: it streams both
 * ways (a buffered body could not fit), its bytes come back unchanged, and the process stays
 * far below the object's size while it moves.
 */
class LargeObjectIT {

    private static final long SIZE = 1L << 30;
    private static final String BUCKET = "large-" + Long.toString(System.currentTimeMillis(), 36);
    private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static AgentProcess agent;

    @BeforeAll
    static void startAgent() throws Exception {
        Path work = Files.createTempDirectory("kelp-large-it");
        agent = AgentProcess.start(work, ProvingGroundConfig.render(work.resolve("fallback"), List.of(BUCKET)));
    }

    @AfterAll
    static void stopAgent() throws Exception {
        if (agent != null) {
            agent.close();
        }
    }

    @Test
    void aGibibyteStreamsInAndOutWithFlatMemory() throws Exception {
        AtomicLong peakRss = new AtomicLong();
        Thread sampler = Thread.ofPlatform().daemon().start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                peakRss.accumulateAndGet(agent.rssBytes(), Math::max);
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        var body = new GeneratedBody(SIZE);
        URI uri = URI.create(agent.baseUrl() + "/v1/objects/" + BUCKET + "/big.bin");
        var put = http.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/octet-stream")
            .PUT(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> body), SIZE)).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
        ContentHash sent = body.hash();
        assertThat(put.headers().firstValue("ETag")).contains("\"" + sent.hex() + "\"");

        var get = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(get.statusCode()).isEqualTo(200);
        MessageDigest digest = ContentHash.newDigest();
        long received = 0;
        try (InputStream in = get.body()) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                digest.update(buffer, 0, n);
                received += n;
            }
        }
        sampler.interrupt();
        assertThat(received).isEqualTo(SIZE);
        assertThat(ContentHash.of(digest)).isEqualTo(sent);
        System.out.printf("large object IT: 1 GiB in and out; agent RSS peak %d MiB (heap capped at 256 MiB)%n", peakRss.get() >> 20);
        assertThat(peakRss.get()).as("agent RSS while 1 GiB moved").isLessThan(SIZE / 2);
    }

    /** {@code size} pseudo-random bytes, generated as read and hashed on the way. */
    private static final class GeneratedBody extends InputStream {
        private final long size;
        private final SplittableRandom random = new SplittableRandom(1234);
        private final MessageDigest digest = ContentHash.newDigest();
        private long position;

        GeneratedBody(long size) {
            this.size = size;
        }

        ContentHash hash() {
            return ContentHash.of(digest);
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (position >= size) {
                return -1;
            }
            int n = (int) Math.min(len, size - position);
            for (int i = 0; i < n; i += 8) {
                long word = random.nextLong();
                for (int j = 0; j < 8 && i + j < n; j++) {
                    b[off + i + j] = (byte) (word >>> (8 * j));
                }
            }
            digest.update(b, off, n);
            position += n;
            return n;
        }
    }
}
