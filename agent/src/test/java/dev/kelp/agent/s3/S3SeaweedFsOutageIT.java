package dev.kelp.agent.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.agent.object.ContentHash;
import dev.kelp.agent.provingground.SeaweedFsClients;
import dev.kelp.testkit.ProvingGround;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * The promise through the S3 door: an unmodified aws-sdk-java-v2 client keeps writing (single
 * PUTs and a multipart upload) while SeaweedFS is killed -9 halfway. No call fails; afterwards
 * the fallback volume drains by itself and every object is on SeaweedFS byte for byte, read
 * there directly rather than through the agent.
 */
class S3SeaweedFsOutageIT {

    private static final int OBJECTS = 600;
    private static final int KILL_AFTER = 200;
    private static final String BUCKET = "s3outage-" + Long.toString(System.currentTimeMillis(), 36);
    private static final ProvingGround.Service seaweedfs = ProvingGround.service("seaweedfs");
    private static S3AgentProcess agent;

    @BeforeAll
    static void start() throws Exception {
        agent = S3AgentProcess.start(Files.createTempDirectory("kelp-s3-outage-it"), List.of(BUCKET), Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        if (!seaweedfs.healthy()) {
            seaweedfs.start();
        }
        if (agent != null) {
            agent.close();
        }
    }

    private static byte[] body(int i) {
        // Mixed sizes: empty, small, and some up to 512 KiB (several aws-chunked chunks each).
        int size = i % 50 == 0 ? 0 : i % 7 == 0 ? 256 * 1024 + i * 300 : 100 + (i * 977) % 16_000;
        byte[] data = new byte[size];
        new Random(i).nextBytes(data);
        return data;
    }

    @Test
    void noAcknowledgedS3WriteIsLostWhenSeaweedFsIsKilledMidLoad() throws Exception {
        Map<String, ContentHash> acknowledged = new ConcurrentHashMap<>();
        Map<String, String> failures = new ConcurrentHashMap<>();
        AtomicInteger next = new AtomicInteger();
        AtomicBoolean killed = new AtomicBoolean();
        AtomicInteger writtenAfterKill = new AtomicInteger();

        try (S3Client s3 = agent.client(true)) {
            ExecutorService clients = Executors.newFixedThreadPool(6);
            for (int c = 0; c < 6; c++) {
                clients.submit(() -> {
                    for (int i = next.getAndIncrement(); i < OBJECTS; i = next.getAndIncrement()) {
                        String key = "load/%04d".formatted(i);
                        byte[] data = body(i);
                        boolean afterKill = killed.get();
                        try {
                            s3.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromBytes(data));
                            acknowledged.put(key, ContentHash.ofBytes(data));
                            if (afterKill) {
                                writtenAfterKill.incrementAndGet();
                            }
                        } catch (Exception e) {
                            failures.put(key, e.toString());
                        }
                        if (acknowledged.size() >= KILL_AFTER && killed.compareAndSet(false, true)) {
                            seaweedfs.kill();
                        }
                    }
                    return null;
                });
            }
            clients.shutdown();
            assertThat(clients.awaitTermination(5, TimeUnit.MINUTES)).isTrue();
            assertThat(failures).as("failed S3 calls").isEmpty();
            assertThat(killed).isTrue();
            assertThat(writtenAfterKill.get()).as("writes made while SeaweedFS was down").isGreaterThan(100);
            assertThat(seaweedfs.healthy()).as("SeaweedFS stays down until we restart it").isFalse();

            // A multipart upload during the outage too: parts and the completed object on the fallback volume.
            String big = "load/multipart-during-outage.bin";
            String uploadId = s3.createMultipartUpload(b -> b.bucket(BUCKET).key(big)).uploadId();
            var whole = new java.io.ByteArrayOutputStream();
            List<CompletedPart> parts = new ArrayList<>();
            for (int n = 1; n <= 3; n++) {
                byte[] part = S3SdkIT.partBytes(1000 + n, n < 3 ? 5 * 1024 * 1024 : 1234);
                whole.writeBytes(part);
                int number = n;
                String etag = s3.uploadPart(b -> b.bucket(BUCKET).key(big).uploadId(uploadId).partNumber(number), RequestBody.fromBytes(part)).eTag();
                parts.add(CompletedPart.builder().partNumber(n).eTag(etag).build());
            }
            s3.completeMultipartUpload(b -> b.bucket(BUCKET).key(big).uploadId(uploadId).multipartUpload(m -> m.parts(parts)));
            acknowledged.put(big, ContentHash.ofBytes(whole.toByteArray()));

            // Read-your-writes during the outage, through the same client.
            assertThat(ContentHash.ofBytes(s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(big)).asByteArray())).isEqualTo(acknowledged.get(big));
            assertThat(agent.mode()).contains("\"mode\":\"FALLBACK\"");
            assertThat(agent.pendingObjects()).isPositive();
        }

        seaweedfs.start();
        long started = System.nanoTime();
        agent.awaitDrained(Duration.ofMinutes(5));
        System.out.printf("S3 outage IT: %d writes during the outage; drained in %d ms%n", writtenAfterKill.get(),
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));

        try (S3Client direct = SeaweedFsClients.direct()) {
            for (var e : acknowledged.entrySet()) {
                byte[] stored = direct.getObjectAsBytes(b -> b.bucket(BUCKET).key("blobs/" + e.getValue().shardedPath())).asByteArray();
                assertThat(ContentHash.ofBytes(stored)).as("%s on SeaweedFS", e.getKey()).isEqualTo(e.getValue());
            }
        }
        assertThat(acknowledged).hasSize(OBJECTS + 1);
    }
}
