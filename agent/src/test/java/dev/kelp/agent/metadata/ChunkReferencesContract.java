package dev.kelp.agent.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kelp.agent.metadata.ChunkReferences.Unused;
import dev.kelp.agent.object.ContentHash;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The uses of chunks by chunked blobs, on a database's real row locks: a chunk's row counts each
 * blob that uses it once, and its bytes go only while its row is held with no use, so a hold
 * either comes first (and the chunk stays) or waits for the reclaim and makes the row anew. Run
 * on the embedded H2 ({@link ChunkReferencesTest}) and on the proving ground's PostgreSQL
 * ({@link ChunkReferencesPostgresIT}). Each test has buckets of its own: the rows of one never
 * meet another's.
 */
abstract class ChunkReferencesContract {

    protected abstract ChunkReferences references();

    protected abstract MetadataDatabase database();

    private static ContentHash hash(String content) {
        return ContentHash.ofBytes(content.getBytes(StandardCharsets.UTF_8));
    }

    private record Row(long refs, Instant unreferencedSince, long size) {
    }

    /** The chunk's row as the database has it, read with plain SQL. */
    private Optional<Row> row(String bucket, ContentHash chunk) throws SQLException {
        try (Connection c = database().connect();
             var select = c.prepareStatement("SELECT refs, unreferenced_since, size FROM chunks WHERE bucket = ? AND hash = ?")) {
            select.setString(1, bucket);
            select.setString(2, chunk.hex());
            try (var rs = select.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                var since = rs.getTimestamp(2);
                return Optional.of(new Row(rs.getLong(1), since == null ? null : since.toInstant(), rs.getLong(3)));
            }
        }
    }

    private long refs(String bucket, ContentHash chunk) throws SQLException {
        return row(bucket, chunk).orElseThrow(() -> new AssertionError("no row for chunk " + chunk + " of " + bucket)).refs();
    }

    private long uses(String bucket, ContentHash chunk) throws SQLException {
        try (Connection c = database().connect();
             var select = c.prepareStatement("SELECT COUNT(*) FROM chunk_uses WHERE bucket = ? AND chunk_hash = ?")) {
            select.setString(1, bucket);
            select.setString(2, chunk.hex());
            try (var rs = select.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** The unused chunks of {@code bucket} as {@link ChunkReferences#unusedSince} lists them. */
    private List<Unused> unused(String bucket, Instant before) {
        return references().unusedSince(before, 100_000).stream().filter(u -> u.bucket().equals(bucket)).toList();
    }

    private static Instant later() {
        return Instant.now().plusSeconds(1);
    }

    @Test
    void holdingAChunkTwiceForOneBlobCountsOnce() throws SQLException {
        String bucket = "hold-twice";
        ContentHash blob = hash("blob");
        ContentHash chunk = hash("chunk");
        references().hold(bucket, blob, chunk, 1234);
        references().hold(bucket, blob, chunk, 1234);

        assertThat(row(bucket, chunk)).contains(new Row(1, null, 1234));
        assertThat(uses(bucket, chunk)).isEqualTo(1);
        assertThat(unused(bucket, later())).isEmpty();
    }

    @Test
    void twoBlobsUsingOneChunkCountTwiceAndAChunkGoesUnusedOnlyWhenBothAreReleased() throws SQLException {
        String bucket = "two-blobs";
        ContentHash first = hash("first");
        ContentHash second = hash("second");
        ContentHash chunk = hash("shared chunk");
        ContentHash own = hash("the first's own chunk");
        references().hold(bucket, first, chunk, 10);
        references().hold(bucket, first, own, 20);
        references().hold(bucket, second, chunk, 10);
        assertThat(refs(bucket, chunk)).isEqualTo(2);
        assertThat(refs(bucket, own)).isEqualTo(1);
        assertThat(row(bucket, first)).as("a blob is no chunk").isEmpty();

        references().release(bucket, first);
        assertThat(refs(bucket, chunk)).isEqualTo(1);
        assertThat(row(bucket, chunk).orElseThrow().unreferencedSince()).isNull();
        assertThat(unused(bucket, later())).as("the second still uses the shared chunk")
            .containsExactly(new Unused(bucket, own, 20));

        Instant beforeRelease = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        references().release(bucket, second);
        Row released = row(bucket, chunk).orElseThrow();
        assertThat(released.refs()).isZero();
        assertThat(released.unreferencedSince()).isNotNull();
        assertThat(unused(bucket, later())).containsExactlyInAnyOrder(new Unused(bucket, own, 20), new Unused(bucket, chunk, 10));
        assertThat(unused(bucket, beforeRelease)).as("not unused before its release")
            .doesNotContain(new Unused(bucket, chunk, 10));
        assertThat(uses(bucket, chunk)).isZero();
    }

    @Test
    void releasingABlobTwiceOrOneThatUsesNothingChangesNothing() throws SQLException {
        String bucket = "release-twice";
        ContentHash blob = hash("blob");
        ContentHash chunk = hash("chunk");
        ContentHash other = hash("other blob");
        references().hold(bucket, blob, chunk, 7);
        references().hold(bucket, other, chunk, 7);

        references().release(bucket, blob);
        Row once = row(bucket, chunk).orElseThrow();
        references().release(bucket, blob);
        references().release(bucket, hash("never stored"));
        assertThat(row(bucket, chunk)).contains(once);
        assertThat(once.refs()).isEqualTo(1);

        references().release(bucket, other);
        Row unused = row(bucket, chunk).orElseThrow();
        references().release(bucket, other);
        assertThat(row(bucket, chunk)).as("refs stay at 0, the wait is not restarted").contains(unused);
        assertThat(unused.refs()).isZero();
    }

    @Test
    void aBlobReleasedTwiceAtOnceLetsGoOfItsUseOnce() throws Exception {
        String bucket = "release-at-once";
        ContentHash blob = hash("released twice");
        ContentHash other = hash("still used");
        ContentHash chunk = hash("chunk");
        references().hold(bucket, blob, chunk, 5);
        references().hold(bucket, other, chunk, 5);

        // Both releases list the blob's uses, then queue on the chunk's row, held here meanwhile.
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (Connection blocker = database().connect()) {
            blocker.setAutoCommit(false);
            try (var lock = blocker.prepareStatement("SELECT refs FROM chunks WHERE bucket = ? AND hash = ? FOR UPDATE")) {
                lock.setString(1, bucket);
                lock.setString(2, chunk.hex());
                lock.executeQuery().close();
            }
            List<Future<?>> releases = List.of(pool.submit(() -> references().release(bucket, blob)),
                pool.submit(() -> references().release(bucket, blob)));
            Thread.sleep(500);
            assertThat(releases).as("waiting for the chunk's row").noneMatch(Future::isDone);
            blocker.commit();
            for (Future<?> release : releases) {
                release.get(20, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(refs(bucket, chunk)).as("the other blob still uses the chunk").isEqualTo(1);
        assertThat(uses(bucket, chunk)).isEqualTo(1);
        assertThat(unused(bucket, later())).isEmpty();
    }

    @Test
    void aReclaimDeletesTheBytesOnceAndOnlyOfAChunkNoBlobUses() throws SQLException {
        String bucket = "reclaim";
        ContentHash blob = hash("blob");
        ContentHash chunk = hash("chunk");
        references().hold(bucket, blob, chunk, 99);
        var deleted = new AtomicInteger();
        var asIfUnused = new Unused(bucket, chunk, 99);

        assertThat(references().reclaim(asIfUnused, later(), deleted::incrementAndGet)).as("still used").isFalse();
        assertThat(deleted).hasValue(0);
        assertThat(refs(bucket, chunk)).isEqualTo(1);

        Instant beforeRelease = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        references().release(bucket, blob);
        List<Unused> listed = unused(bucket, later());
        assertThat(listed).containsExactly(asIfUnused);
        assertThat(references().reclaim(listed.getFirst(), beforeRelease, deleted::incrementAndGet))
            .as("not unused for long enough").isFalse();
        assertThat(deleted).hasValue(0);

        assertThat(references().reclaim(listed.getFirst(), later(), deleted::incrementAndGet)).isTrue();
        assertThat(deleted).hasValue(1);
        assertThat(row(bucket, chunk)).isEmpty();
        assertThat(unused(bucket, later())).isEmpty();

        assertThat(references().reclaim(listed.getFirst(), later(), deleted::incrementAndGet)).as("already gone").isFalse();
        assertThat(deleted).hasValue(1);
    }

    @Test
    void aHoldBetweenListingAndReclaimKeepsTheChunk() throws SQLException {
        String bucket = "hold-before-reclaim";
        ContentHash chunk = hash("chunk");
        references().hold(bucket, hash("old blob"), chunk, 3);
        references().release(bucket, hash("old blob"));
        Instant before = later();
        List<Unused> listed = unused(bucket, before);
        assertThat(listed).containsExactly(new Unused(bucket, chunk, 3));

        references().hold(bucket, hash("new blob"), chunk, 3);
        var deleted = new AtomicInteger();
        assertThat(references().reclaim(listed.getFirst(), before, deleted::incrementAndGet)).isFalse();
        assertThat(deleted).as("the bytes the new blob uses stay").hasValue(0);
        assertThat(row(bucket, chunk)).contains(new Row(1, null, 3));

        // Used and let go again since the listing: a reclaim with the listing's time leaves it too.
        Instant listedAt = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        references().release(bucket, hash("new blob"));
        assertThat(references().reclaim(listed.getFirst(), listedAt, deleted::incrementAndGet)).isFalse();
        assertThat(deleted).hasValue(0);
    }

    @Test
    void aReclaimWhoseDeleteFailsLeavesTheChunkToReclaimAgain() throws SQLException {
        String bucket = "reclaim-fails";
        ContentHash chunk = hash("chunk");
        references().hold(bucket, hash("blob"), chunk, 8);
        references().release(bucket, hash("blob"));
        Unused listed = unused(bucket, later()).getFirst();
        Row before = row(bucket, chunk).orElseThrow();

        assertThatThrownBy(() -> references().reclaim(listed, later(), () -> {
            throw new IllegalStateException("SeaweedFS went away");
        })).isInstanceOf(IllegalStateException.class).hasMessage("SeaweedFS went away");

        assertThat(row(bucket, chunk)).contains(before);
        assertThat(unused(bucket, later())).containsExactly(listed);
        var deleted = new AtomicInteger();
        assertThat(references().reclaim(listed, later(), deleted::incrementAndGet)).isTrue();
        assertThat(deleted).hasValue(1);
        assertThat(row(bucket, chunk)).isEmpty();
    }

    @Test
    void aHoldWhileTheReclaimDeletesTheBytesWaitsForItAndMakesTheRowAnew() throws Exception {
        String bucket = "hold-during-reclaim";
        ContentHash chunk = hash("chunk");
        ContentHash newBlob = hash("new blob");
        references().hold(bucket, hash("old blob"), chunk, 4096);
        references().release(bucket, hash("old blob"));
        Instant before = later();
        Unused listed = unused(bucket, before).getFirst();

        var deleting = new CountDownLatch(1);
        var finish = new CountDownLatch(1);
        var bytesGoneAt = new AtomicLong();
        var heldAt = new AtomicLong();
        var reclaim = CompletableFuture.supplyAsync(() -> references().reclaim(listed, before, () -> {
            deleting.countDown();
            await(finish);
            bytesGoneAt.set(System.nanoTime());
        }));
        assertThat(deleting.await(10, TimeUnit.SECONDS)).isTrue();
        var hold = CompletableFuture.runAsync(() -> {
            references().hold(bucket, newBlob, chunk, 4096);
            heldAt.set(System.nanoTime());
        });
        Thread.sleep(500);
        assertThat(hold).as("the hold waits for the chunk's row").isNotDone();
        finish.countDown();

        assertThat(reclaim.get(20, TimeUnit.SECONDS)).isTrue();
        hold.get(20, TimeUnit.SECONDS);
        assertThat(heldAt.get()).as("the hold returned after the bytes went").isGreaterThan(bytesGoneAt.get());
        assertThat(row(bucket, chunk)).as("the hold made the row again").contains(new Row(1, null, 4096));
        assertThat(uses(bucket, chunk)).isEqualTo(1);
        assertThat(unused(bucket, later())).isEmpty();
    }

    @Test
    void manyBlobsHoldingOneNewChunkAtOnceAreAllCounted() throws Exception {
        String bucket = "hold-at-once";
        int blobs = 8;
        ExecutorService pool = Executors.newFixedThreadPool(blobs);
        try {
            for (int round = 0; round < 5; round++) {
                ContentHash chunk = hash("chunk " + round);
                var start = new CyclicBarrier(blobs);
                List<Future<?>> holds = new ArrayList<>();
                for (int i = 0; i < blobs; i++) {
                    ContentHash blob = hash("blob " + i);
                    holds.add(pool.submit(() -> {
                        start.await(10, TimeUnit.SECONDS);
                        references().hold(bucket, blob, chunk, 100);
                        return null;
                    }));
                }
                for (Future<?> h : holds) {
                    h.get(30, TimeUnit.SECONDS);
                }
                assertThat(row(bucket, chunk)).as("round %d", round).contains(new Row(blobs, null, 100));
                assertThat(uses(bucket, chunk)).isEqualTo(blobs);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
