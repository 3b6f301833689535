package dev.kelp.agent.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.agent.encryption.KeyRewrapper;
import dev.kelp.agent.mode.Mode;
import dev.kelp.testkit.ProvingGround;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The key-encryption key is rotated twice in the mounted Secret while 8 clients write and
 * read: once while SeaweedFS is out of reach (so blobs sealed under the old key wait on the
 * fallback volume and drain after the rotation): no write fails, no read fails other than the
 * 503 the agent answers by design for an object only SeaweedFS holds while SeaweedFS is out of
 * reach (counted apart), everything reads back, the
 * re-wrapper converges (no blob left whose key only the old key unwraps), and once the old
 * key is removed from the Secret everything still reads back.
 */
class KeyRotationIT {

    private static final byte[] OLD = EncryptedAgent.newKey(201);
    private static final byte[] MID = EncryptedAgent.newKey(202);
    private static final byte[] NEW = EncryptedAgent.newKey(203);
    private static final int CLIENTS = 8;

    @TempDir
    Path work;

    private final String bucket = "rot-" + Long.toString(System.nanoTime(), 36);
    private TcpGate gate;
    private S3Client s3;
    private EncryptedAgent agent;

    @BeforeEach
    void gate() {
        URI endpoint = URI.create(ProvingGround.require("KELP_S3_ENDPOINT"));
        gate = new TcpGate(endpoint.getHost(), endpoint.getPort());
        gate.open();
        s3 = EncryptedAgent.plainS3();
    }

    @AfterEach
    void close() {
        if (agent != null) {
            agent.close();
        }
        gate.close();
        s3.close();
    }

    /** Content of object {@code n}: some share content (dedup), sizes on both sides of a segment. */
    private static byte[] content(int n) {
        int variant = n % 40 == 0 ? 7 : n;
        int size = 1 + (variant * 7919) % 200_000;
        byte[] b = new byte[size];
        new Random(variant).nextBytes(b);
        return b;
    }

    @Test
    void rotatingTheKeyUnderLoadFailsNothingAndTheOldKeyCanGoOnceTheRewrapperIsDone() throws Exception {
        Path keys = work.resolve("keys");
        EncryptedAgent.mountSecret(keys, OLD);
        agent = new EncryptedAgent(work.resolve("fallback"), bucket, gate, keys, Map.of());
        agent.awaitMode(Mode.FULL);

        Map<String, Integer> written = new ConcurrentHashMap<>();
        var errors = new ConcurrentLinkedQueue<String>();
        var stop = new AtomicBoolean();
        var outage = new AtomicBoolean();
        var refusedInOutage = new AtomicInteger();
        var counter = new AtomicInteger();
        var reads = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        List<Future<?>> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            long seed = c;
            clients.add(pool.submit(() -> {
                var random = new Random(seed);
                while (!stop.get()) {
                    try {
                        int n = counter.incrementAndGet();
                        String key = "obj-" + n;
                        var put = agent.put(key, content(n));
                        if (put.statusCode() != 201) {
                            errors.add("PUT " + key + ": " + put.statusCode() + " " + put.body());
                            continue;
                        }
                        written.put(key, n);
                        var keysSoFar = new ArrayList<>(written.keySet());
                        String other = keysSoFar.get(random.nextInt(keysSoFar.size()));
                        var get = agent.get(other);
                        reads.incrementAndGet();
                        if (get.statusCode() == 503 && outage.get() && new String(get.body()).contains("\"code\":\"ServiceUnavailable\"")) {
                            refusedInOutage.incrementAndGet();
                            continue;
                        }
                        if (get.statusCode() != 200 || !java.util.Arrays.equals(get.body(), content(written.get(other)))) {
                            errors.add("GET " + other + ": " + get.statusCode() + " " + (get.statusCode() == 200 ? "different bytes" : new String(get.body())));
                        }
                    } catch (Exception e) {
                        errors.add(e.toString());
                    }
                }
            }));
        }

        Thread.sleep(1500);
        outage.set(true);
        gate.shut();                                   // some blobs sealed under OLD wait on the fallback volume
        agent.awaitMode(Mode.FALLBACK);
        Thread.sleep(1000);
        Instant rotated = Instant.now();
        EncryptedAgent.mountSecret(keys, MID, OLD);    // rotation: MID active, OLD still accepted
        Thread.sleep(1000);
        gate.open();                                   // they drain after the rotation
        agent.awaitMode(Mode.FULL);
        Thread.sleep(500);
        outage.set(false);
        Thread.sleep(1500);
        EncryptedAgent.mountSecret(keys, NEW, MID, OLD); // a second rotation, SeaweedFS up, under the same load
        Thread.sleep(2500);
        stop.set(true);
        for (var f : clients) {
            f.get();
        }
        pool.shutdown();
        assertThat(errors).as("requests that failed during the rotation").isEmpty();
        assertThat(written.size()).as("objects written").isGreaterThan(40);
        System.out.printf("[figure] key rotation under load: %d objects written, %d reads, 0 failures"
            + " (%d reads of SeaweedFS-only objects refused with 503 while it was out of reach)%n", written.size(), reads.get(), refusedInOutage.get());

        agent.awaitMode(Mode.FULL);
        agent.awaitDrained();
        KeyRewrapper rewrapper = agent.rewrapper();
        Instant settled = Instant.now();
        rewrapper.requestScan();
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> rewrapper.lastScan()
            .filter(s -> s.startedAt().isAfter(settled) && s.remaining() == 0 && s.complete()).isPresent());
        var scan = rewrapper.lastScan().orElseThrow();
        System.out.printf("[figure] re-wrapper after rotation: %d blobs examined, %d re-wrapped in the last pass%n", scan.examined(), scan.rewrapped());
        assertThat(rotated).isBefore(settled);
        double rewrappedInAll = agent.server.getApplicationContext().getBean(io.micrometer.core.instrument.MeterRegistry.class)
            .counter("kelp.encryption.rewrapped").count();
        assertThat(rewrappedInAll).as("key records the re-wrapper wrote since the rotation").isPositive();

        // Behind the agent's back: every encrypted blob's key now unwraps with NEW.
        var encrypted = EncryptedAgent.objects(s3, bucket, "blobs/").keySet();
        assertThat(encrypted).allMatch(k -> k.endsWith(".enc")).isNotEmpty();
        long underNew = encrypted.stream().filter(k -> EncryptedAgent.effectiveKeyId(s3, bucket, k).equals(EncryptedAgent.idOf(NEW))).count();
        assertThat(underNew).as("blobs whose key is wrapped by the new key").isEqualTo(encrypted.size());
        assertThat(EncryptedAgent.objects(s3, bucket, "blob-keys/")).as("key records written by the re-wrapper").isNotEmpty();

        // The old keys leave the Secret: everything still reads back, whole.
        EncryptedAgent.mountSecret(keys, NEW);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> agent.server.getApplicationContext()
            .getBean(dev.kelp.agent.encryption.BlobEncryption.class).ring().orElseThrow().ids().size() == 1);
        for (var e : written.entrySet()) {
            var get = agent.get(e.getKey());
            assertThat(get.statusCode()).as("GET %s with the old key gone", e.getKey()).isEqualTo(200);
            assertThat(get.body()).as("GET %s", e.getKey()).isEqualTo(content(e.getValue()));
        }
    }
}
