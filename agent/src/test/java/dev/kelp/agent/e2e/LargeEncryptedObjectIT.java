package dev.kelp.agent.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.agent.object.ContentHash;
import dev.kelp.testkit.ProvingGround;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A 1 GiB object through the packaged agent (heap capped at 256 MiB) with encryption at rest
 * on: it is encrypted on the way to SeaweedFS and decrypted on the way back while streaming,
 * a Range deep inside it decrypts only its segments, and the process stays far below the
 * object's size.
 */
class LargeEncryptedObjectIT {

    private static final long SIZE = 1L << 30;
    private static final String BUCKET = "large-enc-" + Long.toString(System.currentTimeMillis(), 36);
    private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static AgentProcess agent;

    @BeforeAll
    static void startAgent() throws Exception {
        Path work = Files.createTempDirectory("kelp-large-enc-it");
        Path keys = work.resolve("keys");
        EncryptedAgent.mountSecret(keys, EncryptedAgent.newKey(301));
        agent = AgentProcess.start(work, """
            kelp:
              storage:
                buckets: [%s]
                max-object-size: 2GiB
              fallback:
                dir: %s
              seaweedfs:
                endpoint: %s
                region: %s
                access-key: %s
                secret-key: %s
              metadata:
                url: %s
                username: %s
                password: %s
              encryption:
                enabled: true
                key-dir: %s
            """.formatted(BUCKET, work.resolve("fallback"), ProvingGround.require("KELP_S3_ENDPOINT"),
            ProvingGround.require("KELP_S3_REGION"), ProvingGround.require("KELP_S3_ACCESS_KEY"), ProvingGround.require("KELP_S3_SECRET_KEY"),
            ProvingGround.require("KELP_PG_URL"), ProvingGround.require("KELP_PG_USER"), ProvingGround.require("KELP_PG_PASSWORD"), keys));
    }

    @AfterAll
    static void stopAgent() throws Exception {
        if (agent != null) {
            agent.close();
        }
    }

    /** Byte {@code p} of the object: a function of its position, so any range can be checked. */
    static byte at(long p) {
        long z = (p >>> 3) + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        return (byte) (z >>> (8 * (p & 7)));
    }

    @Test
    void aGibibyteIsEncryptedAndDecryptedWhileStreamingWithFlatMemory() throws Exception {
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
        MessageDigest sent = ContentHash.newDigest();
        InputStream body = new InputStream() {
            long position;

            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (position >= SIZE) {
                    return -1;
                }
                int n = (int) Math.min(len, SIZE - position);
                for (int i = 0; i < n; i++) {
                    b[off + i] = at(position + i);
                }
                sent.update(b, off, n);
                position += n;
                return n;
            }
        };
        URI uri = URI.create(agent.baseUrl() + "/v1/objects/" + BUCKET + "/big.bin");
        var put = http.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/octet-stream")
            .PUT(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> body), SIZE)).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
        ContentHash hash = ContentHash.of(sent);

        try (var s3 = EncryptedAgent.plainS3()) {
            var stored = s3.headObject(h -> h.bucket(BUCKET).key("blobs/" + hash.shardedPath() + ".enc"));
            assertThat(stored.contentLength()).isEqualTo(111 + (SIZE / 65536) * 16 + SIZE);
            byte[] rawSample = s3.getObjectAsBytes(g -> g.bucket(BUCKET).key("blobs/" + hash.shardedPath() + ".enc")
                .range("bytes=1000000-1000063")).asByteArray();
            byte[] plainSample = new byte[64];
            for (int i = 0; i < 64; i++) {
                plainSample[i] = at(1_000_000 - 111 - 16L * (1_000_000 / (65536 + 16)) + i);
            }
            assertThat(rawSample).isNotEqualTo(plainSample);
        }

        var get = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(get.statusCode()).isEqualTo(200);
        MessageDigest received = ContentHash.newDigest();
        long count = 0;
        try (InputStream in = get.body()) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                received.update(buffer, 0, n);
                count += n;
            }
        }
        assertThat(count).isEqualTo(SIZE);
        assertThat(ContentHash.of(received)).isEqualTo(hash);

        long from = 700_000_123L;
        var range = http.send(HttpRequest.newBuilder(uri).header("Range", "bytes=" + from + "-" + (from + 200_000 - 1)).build(),
            HttpResponse.BodyHandlers.ofByteArray());
        assertThat(range.statusCode()).isEqualTo(206);
        byte[] expected = new byte[200_000];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = at(from + i);
        }
        assertThat(range.body()).isEqualTo(expected);
        sampler.interrupt();
        System.out.printf("[figure] large encrypted object IT: 1 GiB in and out; agent RSS peak %d MiB (heap capped at 256 MiB)%n", peakRss.get() >> 20);
        assertThat(peakRss.get()).as("agent RSS while 1 GiB moved").isLessThan(SIZE / 2);
    }
}
