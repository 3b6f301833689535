package dev.kelp.agent.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kelp.agent.metadata.MetadataStore.BlobRef;
import dev.kelp.agent.metadata.MetadataStore.PutOutcome;
import dev.kelp.agent.metadata.MetadataStore.Usage;
import dev.kelp.agent.object.ContentHash;
import dev.kelp.agent.object.InvalidKeyException;
import dev.kelp.agent.object.ObjectRecord;
import dev.kelp.agent.object.RequestRefusedException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link MetadataStore} on a database must do, run against embedded H2
 * ({@link JdbcMetadataStoreTest}) and PostgreSQL ({@link JdbcMetadataStorePostgresIT}). Each
 * test works in a bucket of its own, so the tests share one database.
 */
abstract class MetadataStoreContract {

    protected String bucket;

    protected abstract MetadataStore store();

    protected abstract DataSource dataSource();

    @BeforeEach
    void freshBucket() {
        bucket = "b-" + UUID.randomUUID().toString().substring(0, 13);
    }

    static ContentHash hashOf(String content) {
        return ContentHash.ofBytes(content.getBytes(StandardCharsets.UTF_8));
    }

    ObjectRecord record(String key, String content) {
        return record(bucket, key, content);
    }

    static ObjectRecord record(String bucket, String key, String content) {
        return new ObjectRecord(bucket, key, 0, hashOf(content), content.length(), "text/plain",
            Map.of("owner", "tests"), Instant.now());
    }

    @Test
    void aPutIsFoundWithTheVersionIdItWasGiven() {
        var original = new ObjectRecord(bucket, "docs/readme.txt", 0, hashOf("hello"), 5, "text/markdown",
            Map.of("author", "ana", "lang", "pt"), Instant.parse("2026-11-24T10:15:30.123456789Z"));

        PutOutcome outcome = store().put(original);

        assertThat(outcome.stored().versionId()).isPositive();
        assertThat(outcome.replaced()).isEmpty();
        assertThat(outcome.blobCreated()).isTrue();
        assertThat(outcome.stored().createdAt()).isEqualTo(Instant.parse("2026-11-24T10:15:30.123456Z"));
        assertThat(store().find(bucket, "docs/readme.txt")).contains(outcome.stored());
        assertThat(outcome.stored().userMetadata()).containsExactlyInAnyOrderEntriesOf(Map.of("author", "ana", "lang", "pt"));
        assertThat(outcome.stored().contentType()).isEqualTo("text/markdown");
    }

    @Test
    void anUnknownKeyIsNotFound() {
        assertThat(store().find(bucket, "nothing/here")).isEmpty();
    }

    @Test
    void aPutOverAKeyReplacesItsVersionAndDeletesTheOldVersionRow() throws SQLException {
        PutOutcome first = store().put(record("k", "one"));
        PutOutcome second = store().put(record("k", "two!"));

        assertThat(second.replaced()).contains(first.stored());
        assertThat(second.stored().versionId()).isGreaterThan(first.stored().versionId());
        assertThat(store().find(bucket, "k")).contains(second.stored());
        assertThat(count("SELECT COUNT(*) FROM object_versions WHERE bucket = ?", bucket)).isEqualTo(1);
    }

    @Test
    void equalContentIsOneBlobWithAReferencePerObject() throws SQLException {
        assertThat(store().hasLiveBlob(bucket, hashOf("same"))).isFalse();

        PutOutcome a = store().put(record("a", "same"));
        PutOutcome b = store().put(record("b", "same"));

        assertThat(a.blobCreated()).isTrue();
        assertThat(b.blobCreated()).isFalse();
        assertThat(store().hasLiveBlob(bucket, hashOf("same"))).isTrue();
        assertThat(refCount(hashOf("same"))).isEqualTo(2);
        assertThat(store().hasLiveBlob("other-bucket", hashOf("same"))).isFalse();
    }

    @Test
    void replacingContentDropsTheOldBlobsReferenceAndLeavesItToReclaim() throws SQLException {
        store().put(record("k", "old content"));
        store().put(record("k", "new content"));

        assertThat(refCount(hashOf("old content"))).isZero();
        assertThat(refCount(hashOf("new content"))).isEqualTo(1);
        assertThat(store().hasLiveBlob(bucket, hashOf("old content"))).isFalse();
        assertThat(store().blobReferences(bucket, hashOf("old content"))).hasValue(0);
        assertThat(store().blobReferences(bucket, hashOf("new content"))).hasValue(1);
        assertThat(store().blobReferences(bucket, hashOf("never stored"))).isEmpty();
        assertThat(unreferencedHere()).containsExactly(new BlobRef(bucket, hashOf("old content"), 11));
    }

    @Test
    void rewritingTheSameContentKeepsOneReference() throws SQLException {
        store().put(record("k", "same"));
        PutOutcome again = store().put(record("k", "same"));

        assertThat(again.blobCreated()).isFalse();
        assertThat(refCount(hashOf("same"))).isEqualTo(1);
        assertThat(store().usage(bucket)).isEqualTo(new Usage(4, 1));
    }

    @Test
    void deleteRemovesTheObjectReleasesItsBlobAndReturnsWhatItRemoved() throws SQLException {
        PutOutcome put = store().put(record("gone", "bytes"));

        assertThat(store().delete(bucket, "gone")).contains(put.stored());
        assertThat(store().find(bucket, "gone")).isEmpty();
        assertThat(store().delete(bucket, "gone")).isEmpty();
        assertThat(store().usage(bucket)).isEqualTo(new Usage(0, 0));
        assertThat(refCount(hashOf("bytes"))).isZero();
        assertThat(unreferencedHere()).extracting(BlobRef::hash).containsExactly(hashOf("bytes"));
        assertThat(count("SELECT COUNT(*) FROM object_versions WHERE bucket = ?", bucket)).isZero();
    }

    @Test
    void aConditionalDeleteRemovesOnlyTheVersionItNames() {
        PutOutcome first = store().put(record("expiring", "old bytes"));
        PutOutcome second = store().put(record("expiring", "new bytes"));

        var stale = store().deleteIfCurrent(bucket, "expiring", first.stored().version(), dev.kelp.agent.versions.VersionIds.next());
        assertThat(stale.removed()).as("a write since: not deleted").isEmpty();
        assertThat(store().find(bucket, "expiring")).contains(second.stored());

        var current = store().deleteIfCurrent(bucket, "expiring", second.stored().version(), dev.kelp.agent.versions.VersionIds.next());
        assertThat(current.removed()).contains(second.stored());
        assertThat(store().find(bucket, "expiring")).isEmpty();
        assertThat(store().usage(bucket)).isEqualTo(new Usage(0, 0));
    }

    @Test
    void usageCountsTheBytesAndObjectsOfCurrentVersions() {
        assertThat(store().usage(bucket)).isEqualTo(new Usage(0, 0));
        store().put(record("a", "12345"));
        store().put(record("b", "123"));
        store().put(record("a", "1234567890"));
        store().put(record("c", "1"));
        store().delete(bucket, "c");

        assertThat(store().usage(bucket)).isEqualTo(new Usage(13, 2));
    }

    @Test
    void ownerUsageFollowsWhoWroteTheCurrentVersionAndAddsUpToTheBuckets() {
        store().put(record("a", "12345").withOwner("alice"));
        store().put(record("b", "123").withOwner("bob"));
        // bob overwrites alice's key (a read-write bucket): the object and its bytes move to him.
        store().put(record("a", "1234567").withOwner("bob"));
        store().put(record("c", "1").withOwner("alice"));
        store().put(record("legacy", "12").withOwner(null));
        store().delete(bucket, "b");

        assertThat(store().ownerUsage(bucket, "alice")).isEqualTo(new Usage(1, 1));
        assertThat(store().ownerUsage(bucket, "bob")).isEqualTo(new Usage(7, 1));
        assertThat(store().ownerUsage(bucket, "default")).as("a record without an owner is the default owner's").isEqualTo(new Usage(2, 1));
        assertThat(store().ownerUsage(bucket, "nobody")).isEqualTo(new Usage(0, 0));
        assertThat(store().usage(bucket)).isEqualTo(new Usage(10, 3));
        assertThat(store().find(bucket, "a")).get().extracting(ObjectRecord::owner).isEqualTo("bob");
    }

    @Test
    void anOwnersListingHoldsOnlyItsObjectsAndStillPagesInKeyOrder() {
        for (int i = 0; i < 10; i++) {
            store().put(record("k" + i, "v" + i).withOwner(i % 3 == 0 ? "alice" : "bob"));
        }
        assertThat(store().list(bucket, "", null, 2, "alice")).extracting(ObjectRecord::key).containsExactly("k0", "k3");
        assertThat(store().list(bucket, "", "k3", 10, "alice")).extracting(ObjectRecord::key).containsExactly("k6", "k9");
        assertThat(store().list(bucket, "", null, 100, null)).hasSize(10);
    }

    @Test
    void listPagesThroughAPrefixInKeyOrder() {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 23; i++) {
            keys.add("photos/%03d.jpg".formatted(i));
        }
        keys.forEach(k -> store().put(record(k, k)));
        store().put(record("photosynthesis.txt", "not in the folder"));
        store().put(record("docs/a.txt", "elsewhere"));

        List<String> seen = new ArrayList<>();
        String after = null;
        int pages = 0;
        while (true) {
            List<ObjectRecord> page = store().list(bucket, "photos/", after, 5);
            if (page.isEmpty()) {
                break;
            }
            pages++;
            assertThat(page.size()).isLessThanOrEqualTo(5);
            page.forEach(r -> seen.add(r.key()));
            after = page.getLast().key();
        }

        assertThat(seen).containsExactlyElementsOf(keys);
        assertThat(pages).isEqualTo(5);
        assertThat(store().list(bucket, "", null, 100)).extracting(ObjectRecord::key)
            .startsWith("docs/a.txt").hasSize(25);
        assertThat(store().list(bucket, "photos/", null, 0)).isEmpty();
    }

    @Test
    void listOrdersKeysByCodePointNotByLocale() {
        for (String k : List.of("b", "B", "a", "A", "é", "z", "Z-1", "a b")) {
            store().put(record(k, k));
        }

        assertThat(store().list(bucket, "", null, 10)).extracting(ObjectRecord::key)
            .containsExactly("A", "B", "Z-1", "a", "a b", "b", "z", "é");
    }

    @Test
    void likeWildcardsInAPrefixAreLiteral() {
        store().put(record("50%_off/x", "1"));
        store().put(record("50abcoff/x", "2"));
        store().put(record("50%Xoff/x", "3"));
        store().put(record("a!b", "4"));
        store().put(record("aXb", "5"));

        assertThat(store().list(bucket, "50%_", null, 10)).extracting(ObjectRecord::key).containsExactly("50%_off/x");
        assertThat(store().list(bucket, "a!", null, 10)).extracting(ObjectRecord::key).containsExactly("a!b");
    }

    @Test
    void anInvalidKeyIsRefusedAndNothingIsStored() {
        assertThatThrownBy(() -> store().put(record("../escape", "x"))).isInstanceOf(InvalidKeyException.class);
        assertThatThrownBy(() -> store().put(record("BadBucket!", "k", "x"))).isInstanceOf(InvalidKeyException.class);
        assertThatThrownBy(() -> store().delete(bucket, "a//b")).isInstanceOf(InvalidKeyException.class);
        assertThat(store().usage(bucket)).isEqualTo(new Usage(0, 0));
        assertThat(store().list(bucket, "", null, 10)).isEmpty();
    }

    @Test
    void reclaimDeletesAnUnreferencedBlobOnce() throws SQLException {
        store().put(record("k", "garbage"));
        store().delete(bucket, "k");
        BlobRef blob = new BlobRef(bucket, hashOf("garbage"), 7);
        AtomicInteger deletions = new AtomicInteger();

        assertThat(store().reclaim(blob, deletions::incrementAndGet)).isTrue();
        assertThat(store().reclaim(blob, deletions::incrementAndGet)).isFalse();

        assertThat(deletions).hasValue(1);
        assertThat(unreferencedHere()).isEmpty();
        assertThat(count("SELECT COUNT(*) FROM blobs WHERE bucket = ?", bucket)).isZero();
    }

    @Test
    void reclaimLeavesABlobThatIsReferencedAgain() throws SQLException {
        store().put(record("k", "precious"));
        store().delete(bucket, "k");
        store().put(record("k2", "precious"));
        AtomicInteger deletions = new AtomicInteger();

        assertThat(store().reclaim(new BlobRef(bucket, hashOf("precious"), 8), deletions::incrementAndGet)).isFalse();

        assertThat(deletions).hasValue(0);
        assertThat(refCount(hashOf("precious"))).isEqualTo(1);
    }

    @Test
    void aFailedByteDeletionKeepsTheBlobRowForTheNextReclaim() {
        store().put(record("k", "stubborn"));
        store().delete(bucket, "k");
        BlobRef blob = new BlobRef(bucket, hashOf("stubborn"), 8);
        var failure = new IllegalStateException("disk says no");

        assertThatThrownBy(() -> store().reclaim(blob, () -> {
            throw failure;
        })).isSameAs(failure);

        assertThat(unreferencedHere()).containsExactly(blob);
    }

    @Test
    void aPutOfTheSameContentWaitsForAReclaimInProgressAndThenStoresTheBlobAgain() throws Exception {
        store().put(record("k", "contested"));
        store().delete(bucket, "k");
        BlobRef blob = new BlobRef(bucket, hashOf("contested"), 9);
        CountDownLatch deleting = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<Boolean> reclaim = pool.submit(() -> store().reclaim(blob, () -> {
                deleting.countDown();
                await(release);
            }));
            assertThat(deleting.await(10, TimeUnit.SECONDS)).isTrue();
            Future<PutOutcome> put = pool.submit(() -> store().put(record("k2", "contested")));
            Thread.sleep(300);
            assertThat(put.isDone()).as("the put waits while the blob row is held").isFalse();
            release.countDown();

            assertThat(reclaim.get(20, TimeUnit.SECONDS)).isTrue();
            assertThat(put.get(20, TimeUnit.SECONDS).blobCreated()).as("the bytes were deleted: the caller must store them again").isTrue();
            assertThat(refCount(hashOf("contested"))).isEqualTo(1);
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void sixteenWritersOfOneKeyLeaveOneVersionAndConsistentCounts() throws Exception {
        int threads = 16;
        int putsEach = 12;
        List<String> contents = List.of("alpha", "bravo-bravo", "charlie-charlie-charlie");
        List<PutOutcome> outcomes = java.util.Collections.synchronizedList(new ArrayList<>());
        runConcurrently(threads, t -> {
            long previous = 0;
            for (int i = 0; i < putsEach; i++) {
                PutOutcome outcome = store().put(record("hot", contents.get((t + i) % contents.size())));
                assertThat(outcome.stored().versionId()).isGreaterThan(previous);
                previous = outcome.stored().versionId();
                outcomes.add(outcome);
            }
        });

        assertThat(outcomes).hasSize(threads * putsEach)
            .allSatisfy(o -> assertThat(o.replaced().map(ObjectRecord::versionId).orElse(0L)).isLessThan(o.stored().versionId()));
        assertThat(outcomes.stream().filter(o -> o.replaced().isEmpty())).as("only the first put created the object").hasSize(1);

        ObjectRecord current = store().find(bucket, "hot").orElseThrow();
        assertThat(store().usage(bucket)).isEqualTo(new Usage(current.size(), 1));
        assertThat(count("SELECT COUNT(*) FROM object_versions WHERE bucket = ?", bucket)).isEqualTo(1);
        assertThat(count("SELECT COALESCE(SUM(ref_count), 0) FROM blobs WHERE bucket = ?", bucket)).isEqualTo(1);
        assertThat(refCount(current.hash())).isEqualTo(1);
        assertThat(count("SELECT COUNT(*) FROM blobs WHERE bucket = ? AND ref_count = 0 AND unreferenced_since IS NULL", bucket)).isZero();
    }

    @Test
    void writersOfNewKeysSpreadTheBucketsUsageOverRowsThatAddUpExactly() throws Exception {
        runConcurrently(8, t -> {
            for (int i = 0; i < 20; i++) {
                store().put(record("spread/" + t + "/" + i, "x".repeat(t + 1)));
            }
        });

        long bytes = 0;
        for (int t = 0; t < 8; t++) {
            bytes += 20L * (t + 1);
        }
        assertThat(store().usage(bucket)).isEqualTo(new Usage(bytes, 160));
        assertThat(store().ownerUsage(bucket, "default")).isEqualTo(new Usage(bytes, 160));
        // One row would make every writer of the bucket wait for the commit of the one before.
        assertThat(count("SELECT COUNT(*) FROM bucket_usage WHERE bucket = ?", bucket)).isGreaterThan(1);
    }

    @Test
    void sixteenWritersSwappingContentsBetweenKeysNeitherDeadlockNorMiscount() throws Exception {
        List<String> keys = List.of("k0", "k1", "k2", "k3");
        List<String> contents = List.of("x", "yy", "zzz");
        runConcurrently(16, t -> {
            for (int i = 0; i < 10; i++) {
                String key = keys.get((t + i) % keys.size());
                if (i % 5 == 4) {
                    store().delete(bucket, key);
                } else {
                    store().put(record(key, contents.get((t * 7 + i) % contents.size())));
                }
            }
        });

        Map<ContentHash, Long> expectedRefs = new HashMap<>();
        long bytes = 0;
        long objects = 0;
        for (String key : keys) {
            Optional<ObjectRecord> r = store().find(bucket, key);
            if (r.isPresent()) {
                expectedRefs.merge(r.get().hash(), 1L, Long::sum);
                bytes += r.get().size();
                objects++;
            }
        }
        assertThat(store().usage(bucket)).isEqualTo(new Usage(bytes, objects));
        for (String content : contents) {
            assertThat(refCount(hashOf(content))).as("references to %s", content)
                .isEqualTo(expectedRefs.getOrDefault(hashOf(content), 0L));
        }
        assertThat(count("SELECT COUNT(*) FROM object_versions WHERE bucket = ?", bucket)).isEqualTo(objects);
    }

    @Test
    void sixteenWritersAtABucketQuotaOfTenObjectsLeaveExactlyTenAndTheRefusedOnesChangeNothing() throws Exception {
        var limits = new WriteLimits(0, 10, null, 0, 0, List.of());
        var stored = new java.util.concurrent.atomic.AtomicInteger();
        var refused = new java.util.concurrent.ConcurrentLinkedQueue<RequestRefusedException>();
        runConcurrently(16, t -> {
            try {
                store().put(record("k" + t, "content " + t), limits);
                stored.incrementAndGet();
            } catch (RequestRefusedException e) {
                refused.add(e);
            }
        });

        assertThat(stored).hasValue(10);
        assertThat(refused).hasSize(6).allSatisfy(e -> {
            assertThat(e.status()).isEqualTo(507);
            assertThat(e.code()).isEqualTo("QuotaExceeded");
        });
        assertThat(store().usage(bucket)).isEqualTo(new Usage(usedBytes(), 10));
        assertThat(count("SELECT COUNT(*) FROM object_versions WHERE bucket = ?", bucket)).isEqualTo(10);
        assertThat(count("SELECT COUNT(*) FROM blobs WHERE bucket = ?", bucket)).as("no blob row for a refused write").isEqualTo(10);
    }

    @Test
    void aBytesQuotaRefusesTheWriteThatGoesOverButNotOneThatShrinks() {
        var limits = new WriteLimits(10, 0, null, 0, 0, List.of());
        store().put(record("a", "123456"), limits);
        assertThatThrownBy(() -> store().put(record("b", "12345"), limits)).isInstanceOf(RequestRefusedException.class)
            .hasMessageContaining("11 bytes would exceed the limit of 10");
        store().put(record("a", "1234567890"), limits);
        assertThat(store().usage(bucket)).isEqualTo(new Usage(10, 1));
        assertThat(store().find(bucket, "b")).isEmpty();
        var tighter = new WriteLimits(5, 0, null, 0, 0, List.of());
        store().put(record("a", "12345678"), tighter);   // still over the tighter limit, but smaller: allowed
        assertThat(store().usage(bucket)).isEqualTo(new Usage(8, 1));
    }

    @Test
    void eightWritersOfOneOwnerAcrossTwoBucketsStayWithinItsQuotaOfFiveObjects() throws Exception {
        String other = bucket + "-2";
        String owner = "quota-" + bucket;
        var limits = new WriteLimits(0, 0, owner, 0, 5, List.of(bucket, other));
        store().put(record(other, "seed", "seed").withOwner(owner), limits);
        var stored = new java.util.concurrent.atomic.AtomicInteger(1);
        runConcurrently(8, t -> {
            try {
                store().put(record(t % 2 == 0 ? bucket : other, "k" + t, "v" + t).withOwner(owner), limits);
                stored.incrementAndGet();
            } catch (RequestRefusedException e) {
                assertThat(e.code()).isEqualTo("QuotaExceeded");
            }
        });

        assertThat(stored).hasValue(5);
        assertThat(store().ownerUsage(bucket, owner).objects() + store().ownerUsage(other, owner).objects()).isEqualTo(5);
        assertThat(store().put(record("someone-else", "x").withOwner("other-" + bucket), limits).stored()).isNotNull();
    }

    @Test
    void bytesOfARefusedWriteAreOfferedForReclaimUnlessABlobRowHoldsThem() throws SQLException {
        store().offerForReclaim(bucket, hashOf("orphan"), 6);
        store().put(record("kept", "kept"));
        store().offerForReclaim(bucket, hashOf("kept"), 4);

        assertThat(unreferencedHere()).extracting(BlobRef::hash).containsExactly(hashOf("orphan"));
        assertThat(refCount(hashOf("kept"))).isEqualTo(1);
    }

    private long usedBytes() throws SQLException {
        return count("SELECT COALESCE(SUM(size), 0) FROM object_versions WHERE bucket = ?", bucket);
    }

    // --- helpers

    interface Worker {
        void run(int thread) throws Exception;
    }

    static void runConcurrently(int threads, Worker worker) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    start.await();
                    worker.run(thread);
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    static void await(CountDownLatch latch) {
        try {
            latch.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    List<BlobRef> unreferencedHere() {
        return store().unreferencedBlobs(10_000).stream().filter(b -> b.bucket().equals(bucket)).toList();
    }

    long refCount(ContentHash hash) throws SQLException {
        return count("SELECT COALESCE(MAX(ref_count), 0) FROM blobs WHERE bucket = ? AND hash = '" + hash.hex() + "'", bucket);
    }

    long count(String sql, String bucketParameter) throws SQLException {
        try (Connection c = dataSource().getConnection(); var st = c.prepareStatement(sql)) {
            st.setString(1, bucketParameter);
            try (var rs = st.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
