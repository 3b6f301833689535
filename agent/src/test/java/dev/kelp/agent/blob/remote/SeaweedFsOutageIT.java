package dev.kelp.agent.blob.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import dev.kelp.agent.blob.BlobStoreUnavailableException;
import dev.kelp.agent.events.AgentEvent;
import dev.kelp.agent.mode.Mode;
import dev.kelp.agent.object.ContentHash;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SeaweedFS dies or hangs under the store, and comes back. Kills the instance that
 * {@code seaweedfs.sh} controls with this JVM's environment: export KELP_RUN and the
 * KELP_WEED_S3_PORT / KELP_WEED_*_PORT variables of a private instance before running it next to
 * other engineers (see docs/development.md); in CI it kills and restores the suite's own one.
 */
class SeaweedFsOutageIT {

    /** A put that is refused this fast did not wait on the network: the breaker refused it. */
    private static final Duration FAST = Duration.ofMillis(50);

    private static OwnSeaweedFs seaweed;
    private final Random random = new Random(11);
    private RemoteStoreFixture fixture;
    private String bucket;

    @TempDir
    Path dir;

    @BeforeAll
    static void startOwnSeaweedFs() {
        seaweed = new OwnSeaweedFs();
        seaweed.service.start();
    }

    @AfterAll
    static void stopOwnSeaweedFs() {
        if (seaweed.isPrivate()) {
            seaweed.service.stop();
        } else {
            seaweed.service.start();
        }
    }

    @BeforeEach
    void healthyStore() throws Exception {
        seaweed.service.start();
        fixture = new RemoteStoreFixture(TestConfigs.defaults(seaweed.endpoint, seaweed.accessKey, seaweed.secretKey));
        bucket = "it-outage-" + System.nanoTime();
        for (int i = 0; i < 3; i++) {
            putRandom(1024);
        }
        assertThat(fixture.mode.current().mode()).isEqualTo(Mode.FULL);
    }

    @AfterEach
    void cleanUp() throws Exception {
        try {
            seaweed.service.start();
            try (var plain = RemoteStoreFixture.plainClient(fixture.config)) {
                RemoteStoreFixture.dropBucket(plain, bucket);
            }
        } finally {
            fixture.close();
        }
    }

    private ContentHash putRandom(int size) throws Exception {
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        ContentHash hash = ContentHash.ofBytes(bytes);
        Path file = Files.write(dir.resolve(hash.hex()), bytes);
        fixture.store.put(bucket, hash, file, size);
        return hash;
    }

    /** Puts until one is refused fast while the mode says FALLBACK; the time that took from {@code start}. */
    private Duration untilPutsFailFastInFallback(long start, Duration limit) throws Exception {
        long deadline = start + limit.toNanos();
        while (System.nanoTime() < deadline) {
            long before = System.nanoTime();
            try {
                putRandom(1024);
            } catch (BlobStoreUnavailableException e) {
                long after = System.nanoTime();
                if (after - before <= FAST.toNanos() && e.getCause() instanceof CallNotPermittedException
                    && fixture.mode.current().mode() == Mode.FALLBACK) {
                    return Duration.ofNanos(after - start);
                }
            }
        }
        throw new AssertionError("puts did not fail fast in FALLBACK within " + limit + "; mode " + fixture.mode.current());
    }

    private Duration untilFull(long start) {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
            .until(() -> fixture.mode.current().mode() == Mode.FULL);
        return Duration.ofNanos(System.nanoTime() - start);
    }

    @Test
    void aKilledSeaweedFsMeansFastFailuresAndFallbackWithinASecondThenFullAgainByItself() throws Exception {
        ContentHash beforeKill = putRandom(64 * 1024);

        long killAt = System.nanoTime();
        seaweed.service.kill();
        Duration killScript = Duration.ofNanos(System.nanoTime() - killAt);
        Duration detected = untilPutsFailFastInFallback(killAt, Duration.ofSeconds(5));

        System.out.printf("[figure] kill -9 -> put fails fast in FALLBACK: %d ms (kill script itself: %d ms); reason: %s%n",
            detected.toMillis(), killScript.toMillis(), fixture.mode.current().reasons());
        assertThat(detected).isLessThanOrEqualTo(Duration.ofSeconds(1));
        assertThat(fixture.mode.current().reasons()).singleElement().asString()
            .matches("seaweedfs: \\d+ (of \\d+ calls|calls in a row) failed: .+");

        long startAt = System.nanoTime();
        seaweed.service.start();
        Duration started = Duration.ofNanos(System.nanoTime() - startAt);
        long upAt = System.nanoTime();
        Duration full = untilFull(upAt);

        System.out.printf("[figure] SeaweedFS start: %d ms; healthy -> FULL with no client traffic: %d ms%n",
            started.toMillis(), full.toMillis());
        assertThat(full).isLessThanOrEqualTo(Duration.ofSeconds(10));
        ContentHash afterRestart = putRandom(4096);
        assertThat(fixture.store.exists(bucket, afterRestart)).isTrue();
        assertThat(fixture.store.verify(bucket, beforeKill)).as("acknowledged before the kill, still there").isTrue();
        assertThat(fixture.events).filteredOn(e -> e.type() == AgentEvent.Type.MODE_TRANSITION)
            .extracting(e -> e.detail().get("from") + "->" + e.detail().get("to"))
            .containsExactly("FULL->FALLBACK", "FALLBACK->FULL");
    }

    @Test
    void aLargeReadWaitsOutASlowStartAsLongAsItsTransferMayTakeWhileASmallOneTimesOut() throws Exception {
        int large = 48 * 1024 * 1024;
        byte[] bytes = new byte[large];
        random.nextBytes(bytes);
        ContentHash hash = ContentHash.ofBytes(bytes);
        fixture.store.put(bucket, hash, Files.write(dir.resolve(hash.hex()), bytes), large);
        ContentHash small = putRandom(4096);
        // 48 MiB at the healthy minimum of 8 MiB/s may take 6 s on top of the 2 s base: 8 s in all.
        assertThat(fixture.config.attemptTimeout(large)).isEqualTo(Duration.ofSeconds(8));

        var pool = Executors.newFixedThreadPool(2);
        seaweed.signal("STOP");
        Future<byte[]> largeRead;
        Future<byte[]> smallRead;
        try {
            largeRead = pool.submit(() -> readAll(hash, large));
            smallRead = pool.submit(() -> readAll(small, 4096));
            // Longer than the base attempt timeout, well inside the large read's.
            Thread.sleep(3_500);
        } finally {
            seaweed.signal("CONT");
        }
        try {
            assertThat(largeRead.get(30, TimeUnit.SECONDS)).as("the large read, byte for byte").isEqualTo(bytes);
            assertThat(catchThrowable(() -> smallRead.get(30, TimeUnit.SECONDS)))
                .as("the small read had only the base timeout").cause()
                .isInstanceOf(BlobStoreUnavailableException.class).hasMessageContaining("no answer in time");
        } finally {
            pool.shutdownNow();
        }
    }

    private byte[] readAll(ContentHash hash, long length) throws IOException {
        try (var in = fixture.store.open(bucket, hash, 0, length)) {
            return in.readAllBytes();
        }
    }

    @Test
    void aHungSeaweedFsIsCaughtByTheAttemptTimeoutAndRecoveryFollowsTheThaw() throws Exception {
        var fallbackAt = new java.util.concurrent.atomic.AtomicLong();
        fixture.mode.addListener(state -> {
            if (state.mode() == Mode.FALLBACK) {
                fallbackAt.compareAndSet(0, System.nanoTime());
            }
        });
        long stopAt = System.nanoTime();
        seaweed.signal("STOP");
        try {
            // Each small put waits out its 2 s attempt timeout, once (timeouts are not retried), and
            // the probe its 1 s one; three failures in a row open the breaker.
            Duration detected = untilPutsFailFastInFallback(stopAt, Duration.ofSeconds(15));

            System.out.printf("[figure] SIGSTOP -> mode FALLBACK: %d ms; -> put fails fast: %d ms; reason: %s%n",
                Duration.ofNanos(fallbackAt.get() - stopAt).toMillis(), detected.toMillis(), fixture.mode.current().reasons());
            assertThat(detected).isLessThanOrEqualTo(Duration.ofSeconds(6));
            assertThat(fixture.mode.current().reasons()).singleElement().asString().contains("no answer in time");
        } finally {
            seaweed.signal("CONT");
        }
        long thawAt = System.nanoTime();
        Duration full = untilFull(thawAt);

        System.out.printf("[figure] SIGCONT -> FULL with no client traffic: %d ms%n", full.toMillis());
        assertThat(fixture.store.exists(bucket, putRandom(2048))).isTrue();
    }
}
