package dev.kelp.agent.tiering;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.agent.metadata.TierMetadata.ObjectKey;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AccessLogTest {

    private static final Instant T = Instant.parse("2026-12-01T12:00:00Z");

    @Test
    void manyReadsOfOneObjectAreOneEntryWithTheLatestTime() {
        var log = new AccessLog(100);
        log.record("b", "k", T.plusSeconds(2));
        log.record("b", "k", T);
        log.record("b", "k", T.plusSeconds(1));
        log.record("b", "other", T);
        assertThat(log.drain()).isEqualTo(Map.of(new ObjectKey("b", "k"), T.plusSeconds(2), new ObjectKey("b", "other"), T));
        assertThat(log.drain()).as("a drain starts a new batch").isEmpty();
    }

    @Test
    void recordingSaysWhenTheBatchIsFullSoTheFlushComesEarly() {
        var log = new AccessLog(3);
        assertThat(log.record("b", "1", T)).isFalse();
        assertThat(log.record("b", "2", T)).isFalse();
        assertThat(log.record("b", "2", T)).as("the same object again does not grow the batch").isFalse();
        assertThat(log.record("b", "3", T)).isTrue();
    }

    @Test
    void aBatchTheDatabaseRefusedComesBackWithoutOverwritingNewerReads() {
        var log = new AccessLog(10);
        log.record("b", "k", T);
        var failed = log.drain();
        log.record("b", "k", T.plusSeconds(5));
        assertThat(log.restore(failed)).isZero();
        assertThat(log.drain()).containsEntry(new ObjectKey("b", "k"), T.plusSeconds(5));
    }

    @Test
    void pastTheBoundARestoreDropsTheRestAndSaysHowMany() {
        var log = new AccessLog(2);
        log.record("b", "1", T);
        log.record("b", "2", T);
        log.record("b", "3", T);
        var failed = log.drain();
        log.record("b", "new", T);
        log.record("b", "new2", T);
        assertThat(log.restore(failed)).isEqualTo(3);
        assertThat(log.size()).isEqualTo(2);
    }

    @Test
    void readsRacingADrainAreNeverLost() throws Exception {
        var log = new AccessLog(1_000_000);
        var seen = new java.util.concurrent.ConcurrentHashMap<ObjectKey, Instant>();
        int readers = 4;
        int perReader = 20_000;
        var threads = new java.util.ArrayList<Thread>();
        for (int r = 0; r < readers; r++) {
            int id = r;
            threads.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < perReader; i++) {
                    log.record("b", id + "/" + i, T.plusMillis(i));
                }
            }));
        }
        var drainer = Thread.ofPlatform().start(() -> {
            while (threads.stream().anyMatch(Thread::isAlive)) {
                seen.putAll(log.drain());
            }
        });
        for (Thread t : threads) {
            t.join();
        }
        drainer.join();
        seen.putAll(log.drain());
        assertThat(seen).hasSize(readers * perReader);
    }
}
