package dev.kelp.agent.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.agent.metadata.MetadataStore.VersionCursor;
import dev.kelp.agent.object.ContentHash;
import dev.kelp.agent.object.ObjectRecord;
import dev.kelp.agent.object.ObjectVersion;
import dev.kelp.agent.versions.VersionIds;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a metadata store on a database does with versioning on (kelp.versioning.enabled, keep-last
 * {@link #KEEP_LAST}, keep-for {@link #KEEP_FOR}), on H2 ({@link VersionedJdbcMetadataStoreTest})
 * and PostgreSQL ({@link VersionedJdbcMetadataStorePostgresIT}).
 */
abstract class VersionedMetadataStoreContract {

    static final int KEEP_LAST = 2;
    static final Duration KEEP_FOR = Duration.ofHours(1);

    static Map<String, Object> versioning() {
        return Map.of("kelp.versioning.enabled", true, "kelp.versioning.keep-last", KEEP_LAST, "kelp.versioning.keep-for", "1h");
    }

    protected String bucket;

    protected abstract MetadataStore store();

    protected abstract DataSource dataSource();

    @BeforeEach
    void freshBucket() {
        bucket = "v-" + UUID.randomUUID().toString().substring(0, 13);
    }

    ObjectRecord put(String key, String content) {
        return store().put(MetadataStoreContract.record(bucket, key, content).withVersion(VersionIds.next())).stored();
    }

    List<ObjectVersion> versions(String key) {
        return store().listVersionsOfKey(bucket, key, null, 1000);
    }

    long refCount(String content) throws SQLException {
        try (var c = dataSource().getConnection();
             var st = c.prepareStatement("SELECT ref_count FROM blobs WHERE bucket = ? AND hash = ?")) {
            st.setString(1, bucket);
            st.setString(2, MetadataStoreContract.hashOf(content).hex());
            try (var rs = st.executeQuery()) {
                return rs.next() ? rs.getLong(1) : -1;
            }
        }
    }

    @Test
    void aPutKeepsTheVersionItReplacesAndEveryVersionIsFoundByItsId() {
        var v1 = put("notes.txt", "one");
        var v2 = put("notes.txt", "two");

        assertThat(store().find(bucket, "notes.txt")).contains(v2);
        assertThat(versions("notes.txt")).extracting(ObjectVersion::version).containsExactly(v2.version(), v1.version());
        assertThat(versions("notes.txt")).extracting(ObjectVersion::latest).containsExactly(true, false);
        assertThat(store().findVersion(bucket, "notes.txt", v1.version()).orElseThrow().object()).isEqualTo(v1);
        assertThat(store().findVersion(bucket, "notes.txt", v1.version()).orElseThrow().replacedAt()).isNotNull();
        assertThat(store().findVersion(bucket, "other.txt", v1.version())).as("a version of another key").isEmpty();
        assertThat(store().usage(bucket)).isEqualTo(new MetadataStore.Usage(6, 1));
    }

    @Test
    void keepLastPrunesTheOldestOnWriteAndReleasesTheirBlobs() throws Exception {
        List<ObjectRecord> written = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            written.add(put("k", "content-" + i));
        }

        assertThat(versions("k")).extracting(ObjectVersion::version)
            .containsExactly(written.get(4).version(), written.get(3).version(), written.get(2).version());
        assertThat(refCount("content-1")).isZero();
        assertThat(refCount("content-2")).isZero();
        assertThat(refCount("content-3")).isOne();
        assertThat(store().usage(bucket)).isEqualTo(new MetadataStore.Usage(3L * "content-1".length(), 1));
        assertThat(store().unreferencedBlobs(10_000)).extracting(MetadataStore.BlobRef::hash)
            .contains(MetadataStoreContract.hashOf("content-1"), MetadataStoreContract.hashOf("content-2"))
            .doesNotContain(MetadataStoreContract.hashOf("content-3"));
    }

    @Test
    void aBlobCountsOneReferencePerVersionThatHoldsIt() throws Exception {
        put("a", "same");
        put("a", "same");
        put("b", "same");

        assertThat(refCount("same")).isEqualTo(3);
        store().delete(bucket, "b", VersionIds.next());
        assertThat(refCount("same")).as("the deleted version is kept behind its marker").isEqualTo(3);
        store().deleteVersion(bucket, "a", versions("a").getLast().version());
        assertThat(refCount("same")).isEqualTo(2);
    }

    @Test
    void aDeleteLeavesAMarkerThatHidesTheObjectAndKeepsItsBytesCounted() {
        var v1 = put("doc", "hello");
        String marker = VersionIds.next();

        var outcome = store().delete(bucket, "doc", marker);

        assertThat(outcome.removed()).contains(v1);
        assertThat(outcome.marker()).contains(marker);
        assertThat(store().find(bucket, "doc")).isEmpty();
        assertThat(store().list(bucket, "", null, 10)).isEmpty();
        var latest = store().findLatest(bucket, "doc").orElseThrow();
        assertThat(latest.deleteMarker()).isTrue();
        assertThat(latest.version()).isEqualTo(marker);
        assertThat(versions("doc")).extracting(ObjectVersion::version).containsExactly(marker, v1.version());
        assertThat(store().usage(bucket)).isEqualTo(new MetadataStore.Usage(5, 0));

        // The same delete again (a replay) and a delete of a deleted object change nothing.
        assertThat(store().delete(bucket, "doc", marker).marker()).isEmpty();
        assertThat(store().delete(bucket, "doc", VersionIds.next()).removed()).isEmpty();
        assertThat(versions("doc")).hasSize(2);
        assertThat(store().usage(bucket)).isEqualTo(new MetadataStore.Usage(5, 0));
    }

    @Test
    void deletingTheMarkerBringsTheObjectBack() {
        var v1 = put("doc", "hello");
        String marker = store().delete(bucket, "doc", VersionIds.next()).marker().orElseThrow();

        var removed = store().deleteVersion(bucket, "doc", marker).orElseThrow();

        assertThat(removed.deleteMarker()).isTrue();
        assertThat(store().find(bucket, "doc")).contains(v1);
        assertThat(versions("doc")).singleElement().satisfies(v -> assertThat(v.latest()).isTrue());
        assertThat(store().usage(bucket)).isEqualTo(new MetadataStore.Usage(5, 1));
    }

    @Test
    void deletingTheCurrentVersionForGoodMakesThePreviousOneCurrent() throws Exception {
        var v1 = put("doc", "first");
        var v2 = put("doc", "second!");

        store().deleteVersion(bucket, "doc", v2.version());

        assertThat(store().find(bucket, "doc")).contains(v1);
        assertThat(refCount("second!")).isZero();
        assertThat(store().usage(bucket)).isEqualTo(new MetadataStore.Usage(5, 1));
        assertThat(store().deleteVersion(bucket, "doc", v2.version())).as("gone already").isEmpty();
        assertThat(store().deleteVersion(bucket, "doc", VersionIds.next())).isEmpty();

        store().deleteVersion(bucket, "doc", v1.version());
        assertThat(store().find(bucket, "doc")).isEmpty();
        assertThat(store().findLatest(bucket, "doc")).isEmpty();
        assertThat(store().usage(bucket)).isEqualTo(new MetadataStore.Usage(0, 0));
    }

    @Test
    void thePutOfAVersionAlreadyStoredChangesNothing() {
        var record = MetadataStoreContract.record(bucket, "k", "once").withVersion(VersionIds.next());
        var first = store().put(record).stored();

        var again = store().put(record);

        assertThat(again.stored()).isEqualTo(first);
        assertThat(versions("k")).hasSize(1);
        assertThat(store().usage(bucket)).isEqualTo(new MetadataStore.Usage(4, 1));
    }

    @Test
    void theSweeperRemovesVersionsReplacedLongerThanKeepForAgoAndALoneMarker() throws Exception {
        put("swept", "a");
        put("swept", "b");
        put("gone", "c");
        store().delete(bucket, "gone", VersionIds.next());

        assertThat(store().sweepExpired(Instant.now(), 1000)).as("nothing is due yet").isZero();
        int removed = 0;
        int batch;
        while ((batch = store().sweepExpired(Instant.now().plus(KEEP_FOR).plusSeconds(60), 1000)) > 0) {
            removed += batch;
        }

        // Other tests' buckets share the database: count only this bucket's.
        assertThat(removed).isGreaterThanOrEqualTo(3);
        assertThat(versions("swept")).singleElement().satisfies(v -> assertThat(v.object().hash()).isEqualTo(MetadataStoreContract.hashOf("b")));
        assertThat(versions("gone")).isEmpty();
        assertThat(store().findLatest(bucket, "gone")).isEmpty();
        assertThat(refCount("a")).isZero();
        assertThat(refCount("c")).isZero();
        assertThat(store().usage(bucket)).isEqualTo(new MetadataStore.Usage(1, 1));
    }

    @Test
    void versionListingsPageThroughKeysInOrderAndVersionsNewestFirst() {
        List<String> expected = new ArrayList<>();
        for (String key : List.of("p/a", "p/b", "p/c")) {
            List<String> ofKey = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                ofKey.addFirst(put(key, key + i).version());
            }
            expected.addAll(ofKey);
        }
        put("q/other", "x");

        List<String> seen = new ArrayList<>();
        VersionCursor cursor = null;
        int pages = 0;
        while (true) {
            var page = store().listVersions(bucket, "p/", cursor, 2);
            if (page.isEmpty()) {
                break;
            }
            page.forEach(v -> seen.add(v.version()));
            cursor = new VersionCursor(page.getLast().key(), page.getLast().sequence());
            pages++;
        }
        assertThat(seen).containsExactlyElementsOf(expected);
        assertThat(pages).isEqualTo(5);

        var firstTwo = store().listVersionsOfKey(bucket, "p/b", null, 2);
        var rest = store().listVersionsOfKey(bucket, "p/b", new VersionCursor("p/b", firstTwo.getLast().sequence()), 10);
        assertThat(rest).extracting(ObjectVersion::version).containsExactly(expected.get(5));
    }

    @Test
    void aRollbackIsANewVersionSharingTheOldContent() throws Exception {
        var v1 = put("doc", "old text");
        put("doc", "new text");
        var rolled = store().put(new ObjectRecord(bucket, "doc", 0, v1.hash(), v1.size(), v1.contentType(), v1.userMetadata(),
            Instant.now(), VersionIds.next()));

        assertThat(rolled.blobCreated()).isFalse();
        assertThat(refCount("old text")).isEqualTo(2);
        assertThat(store().find(bucket, "doc").orElseThrow().hash()).isEqualTo(ContentHash.ofBytes("old text".getBytes()));
        assertThat(versions("doc")).hasSize(3);
    }

    @Test
    void concurrentWritersAndDeletersOfOneKeyLeaveRetentionAndCountsConsistent() throws Exception {
        List<String> contents = List.of("alpha", "bravo-bravo", "charlie-charlie-charlie");
        // Fewer writers than the pool has connections: on H2 a versioned write of a contested key holds
        // its row lock long enough (its prune reads the key's versions) that a twelfth writer can wait
        // past the pool's 1s connection timeout, which reads as an outage (measured: 8x25 puts of one
        // key take ~4x as long as without versioning on H2, on a loaded 2-core machine).
        MetadataStoreContract.runConcurrently(8, t -> {
            for (int i = 0; i < 10; i++) {
                if ((t + i) % 4 == 0) {
                    store().delete(bucket, "hot", VersionIds.next());
                } else {
                    put("hot", contents.get((t + i) % contents.size()));
                }
            }
        });

        var kept = versions("hot");
        assertThat(kept).hasSizeLessThanOrEqualTo(KEEP_LAST + 1);
        assertThat(kept.getFirst().latest()).isTrue();
        assertThat(kept.subList(1, kept.size())).allSatisfy(v -> assertThat(v.latest()).isFalse());
        assertThat(kept).extracting(ObjectVersion::sequence).isSortedAccordingTo(java.util.Comparator.reverseOrder());
        long bytes = kept.stream().filter(v -> !v.deleteMarker()).mapToLong(v -> v.object().size()).sum();
        long live = kept.getFirst().deleteMarker() ? 0 : 1;
        assertThat(store().usage(bucket)).isEqualTo(new MetadataStore.Usage(bytes, live));
        for (String content : contents) {
            long holding = kept.stream().filter(v -> !v.deleteMarker()
                && v.object().hash().equals(MetadataStoreContract.hashOf(content))).count();
            assertThat(Math.max(refCount(content), 0)).as("references to %s", content).isEqualTo(holding);
        }
    }
}
