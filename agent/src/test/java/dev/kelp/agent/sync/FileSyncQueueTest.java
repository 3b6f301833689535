package dev.kelp.agent.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kelp.agent.fallback.FallbackConfig;
import dev.kelp.agent.fallback.FallbackVolume;
import dev.kelp.agent.object.ContentHash;
import dev.kelp.agent.object.InvalidKeyException;
import dev.kelp.agent.sync.SyncQueue.Pending;
import dev.kelp.agent.sync.SyncQueue.SyncEntry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSyncQueueTest {

    private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(T0);

    private FileSyncQueue queue() {
        return new FileSyncQueue(new FallbackVolume(new FallbackConfig(dir, 0, 0)), clock);
    }

    private Path queueDir() {
        return dir.resolve("sync-queue");
    }

    private static ContentHash hash(long n) {
        return ContentHash.ofBytes(ByteBuffer.allocate(8).putLong(n).array());
    }

    private List<String> fileNames() throws IOException {
        try (Stream<Path> files = Files.list(queueDir())) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void eachEntryIsAFileNamedByItsSequenceHoldingItsFields() throws IOException {
        var entry = queue().enqueue("photos", hash(1), 1234);

        assertThat(entry.sequence()).isEqualTo(1);
        assertThat(entry.enqueuedAt()).isEqualTo(T0);
        assertThat(fileNames()).containsExactly("00000000000000000001");
        assertThat(queueDir().resolve("00000000000000000001")).hasContent("""
            bucket=photos
            hash=%s
            size=1234
            enqueuedAt=%d
            """.formatted(hash(1).hex(), T0.toEpochMilli()));
    }

    @Test
    void aRestartedQueueResumesInTheSameOrderAndContinuesTheSequence() {
        var queue = queue();
        List<SyncEntry> entries = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            clock.advance(Duration.ofSeconds(1));
            entries.add(queue.enqueue("photos", hash(i), i * 100L));
        }
        queue.complete(entries.get(1));

        var restarted = queue();

        assertThat(restarted.oldest(10)).containsExactly(entries.get(0), entries.get(2), entries.get(3), entries.get(4));
        assertThat(restarted.enqueue("photos", hash(6), 600).sequence()).isEqualTo(6);
        assertThat(restarted.pending().bytes()).isEqualTo(100 + 300 + 400 + 500 + 600);
    }

    @Test
    void anEntryCutShortByACrashIsIgnoredAndRemoved() throws IOException {
        var queue = queue();
        var kept = queue.enqueue("photos", hash(1), 10);
        Files.writeString(queueDir().resolve("00000000000000000002.tmp"), "bucket=photos\nhash=");

        var restarted = queue();

        assertThat(restarted.oldest(10)).containsExactly(kept);
        assertThat(fileNames()).containsExactly("00000000000000000001");
        assertThat(restarted.enqueue("photos", hash(2), 20).sequence()).isEqualTo(2);
    }

    @Test
    void anUnreadableEntryIsSetAsideNotLostAndItsNumberIsNotReused() throws IOException {
        queue().enqueue("photos", hash(1), 10);
        Files.writeString(queueDir().resolve("00000000000000000009"), "this is not an entry");

        var restarted = queue();

        assertThat(restarted.oldest(10)).extracting(SyncEntry::sequence).containsExactly(1L);
        assertThat(fileNames()).contains("00000000000000000009.corrupt");
        assertThat(restarted.enqueue("photos", hash(2), 20).sequence()).isEqualTo(10);
    }

    @Test
    void enqueuingABlobAlreadyPendingReturnsTheEntryThatIsThere() throws IOException {
        var queue = queue();
        var first = queue.enqueue("photos", hash(1), 10);

        clock.advance(Duration.ofMinutes(1));
        var again = queue.enqueue("photos", hash(1), 10);
        var otherBucket = queue.enqueue("backups", hash(1), 10);

        assertThat(again).isEqualTo(first);
        assertThat(otherBucket.sequence()).isEqualTo(2);
        assertThat(fileNames()).hasSize(2);

        queue.complete(first);
        assertThat(queue.enqueue("photos", hash(1), 10).sequence()).isEqualTo(3);
    }

    @Test
    void duplicatesFoundAtStartupAreSyncedOnce() throws IOException {
        var entry = queue().enqueue("photos", hash(1), 10);
        Files.copy(queueDir().resolve("00000000000000000001"), queueDir().resolve("00000000000000000004"));

        var restarted = queue();

        assertThat(restarted.oldest(10)).containsExactly(entry);
        assertThat(fileNames()).containsExactly("00000000000000000001");
        assertThat(restarted.enqueue("photos", hash(1), 10)).isEqualTo(entry);
    }

    @Test
    void pendingCountsObjectsBytesAndTheAgeOfTheOldest() {
        var queue = queue();
        assertThat(queue.pending()).isEqualTo(new Pending(0, 0, Duration.ZERO));

        var oldest = queue.enqueue("photos", hash(1), 100);
        clock.advance(Duration.ofSeconds(5));
        queue.enqueue("photos", hash(2), 200);
        clock.advance(Duration.ofSeconds(60));

        assertThat(queue.pending()).isEqualTo(new Pending(2, 300, Duration.ofSeconds(65)));

        queue.complete(oldest);
        assertThat(queue.pending()).isEqualTo(new Pending(1, 200, Duration.ofSeconds(60)));
    }

    @Test
    void completingRemovesTheFileAndTwiceOrAStrangerIsANoOp() throws IOException {
        var queue = queue();
        var done = queue.enqueue("photos", hash(1), 100);
        var waiting = queue.enqueue("photos", hash(2), 200);

        queue.complete(done);
        queue.complete(done);
        queue.complete(new SyncEntry(2, "photos", hash(99), 1, T0));
        queue.complete(new SyncEntry(77, "photos", hash(3), 1, T0));

        assertThat(queue.oldest(10)).containsExactly(waiting);
        assertThat(fileNames()).containsExactly("00000000000000000002");
        assertThat(queue.pending().bytes()).isEqualTo(200);
    }

    @Test
    void oldestReturnsAtMostTheLimitOldestFirst() {
        var queue = queue();
        for (int i = 1; i <= 10; i++) {
            queue.enqueue("photos", hash(i), i);
        }

        assertThat(queue.oldest(3)).extracting(SyncEntry::sequence).containsExactly(1L, 2L, 3L);
        assertThat(queue.oldest(0)).isEmpty();
        assertThatThrownBy(() -> queue.oldest(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void afterReturnsTheEntriesPastASequenceOldestFirst() {
        var queue = queue();
        for (int i = 1; i <= 10; i++) {
            queue.enqueue("photos", hash(i), i);
        }
        queue.complete(queue.oldest(5).get(4));

        assertThat(queue.after(3, 3)).extracting(SyncEntry::sequence).containsExactly(4L, 6L, 7L);
        assertThat(queue.after(10, 3)).isEmpty();
        assertThatThrownBy(() -> queue.after(0, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void badInputIsRefusedAndWritesNothing() throws IOException {
        var queue = queue();

        assertThatThrownBy(() -> queue.enqueue("Not A Bucket", hash(1), 1)).isInstanceOf(InvalidKeyException.class);
        assertThatThrownBy(() -> queue.enqueue("photos", hash(1), -1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(fileNames()).isEmpty();
        assertThat(queue.pending().objects()).isZero();
    }

    @Test
    void sixteenConcurrentWritersGetUniqueSequencesInOneDurableOrder() throws Exception {
        var queue = queue();
        int writers = 16;
        int each = 200;
        var pool = Executors.newFixedThreadPool(writers);
        List<Callable<List<Long>>> work = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int writer = w;
            work.add(() -> {
                List<Long> sequences = new ArrayList<>();
                for (int i = 0; i < each; i++) {
                    sequences.add(queue.enqueue("photos", hash(writer * 1_000_000L + i), i).sequence());
                }
                return sequences;
            });
        }
        List<Long> all = new ArrayList<>();
        try {
            for (var done : pool.invokeAll(work)) {
                List<Long> mine = done.get();
                assertThat(mine).isSorted();
                all.addAll(mine);
            }
        } finally {
            pool.shutdown();
        }

        assertThat(all).hasSize(3200).doesNotHaveDuplicates();
        assertThat(queue.oldest(5000)).extracting(SyncEntry::sequence).isSorted().hasSize(3200).containsExactlyInAnyOrderElementsOf(all);
        assertThat(fileNames()).hasSize(3200);
        assertThat(queue().oldest(5000)).isEqualTo(queue.oldest(5000));
    }

    /** A clock the test moves by hand. */
    private static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(Instant start) {
            this.now = start;
        }

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
