package dev.kelp.agent.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kelp.agent.mode.ModeMonitor;
import dev.kelp.agent.object.ObjectRecord;
import dev.kelp.agent.object.ObjectVersion;
import dev.kelp.agent.versions.VersionIds;
import dev.kelp.agent.versions.VersioningConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micronaut.context.ApplicationContext;
import io.micronaut.json.JsonMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Versions written while the database is unreachable (LOCAL_ONLY) come back with the ids they
 * were acknowledged with, exactly once, with retention applied (keep-last 2). The database is
 * the real JDBC store on H2 behind {@link FlakyDatabase}'s switch; the outage on real PostgreSQL
 * is {@code VersionsProvingGroundIT}.
 */
class VersionedJournalingMetadataStoreTest {

    @TempDir
    static Path databaseDir;
    static ApplicationContext context;

    @TempDir
    Path fallbackDir;
    String bucket;
    FlakyDatabase database;
    final List<JournalingMetadataStore> opened = new ArrayList<>();

    @BeforeAll
    static void startEmbedded() {
        var properties = new HashMap<String, Object>(VersionedMetadataStoreContract.versioning());
        properties.put("kelp.fallback.dir", databaseDir.toString());
        context = ApplicationContext.run(properties, "test");
    }

    @AfterAll
    static void stopEmbedded() {
        context.close();
    }

    @BeforeEach
    void setUp() {
        bucket = "jv-" + UUID.randomUUID().toString().substring(0, 13);
        database = new FlakyDatabase(context.getBean(JdbcMetadataStore.class));
    }

    @AfterEach
    void closeStores() throws InterruptedException {
        for (JournalingMetadataStore s : opened) {
            s.stop();
        }
    }

    JournalingMetadataStore open() {
        var journal = new MetadataJournal(fallbackDir, context.getBean(JsonMapper.class));
        var mode = new ModeMonitor(e -> { }, new SimpleMeterRegistry(), "http://seaweedfs.test:8333");
        var store = new JournalingMetadataStore(database, journal, mode,
            new MetadataConfig(null, null, null, Duration.ofHours(1), 1000L), context.getBean(VersioningConfig.class),
            new SimpleMeterRegistry());
        store.resumeFromJournal();
        opened.add(store);
        return store;
    }

    ObjectRecord put(JournalingMetadataStore store, String key, String content) {
        return store.put(MetadataStoreContract.record(bucket, key, content).withVersion(VersionIds.next())).stored();
    }

    @Test
    void versionsJournaledDuringAnOutageKeepTheirIdsThroughReplayExactlyOnceWithRetentionApplied() throws Exception {
        var store = open();
        var before = put(store, "doc", "before the outage");
        var written = put(store, "written-before", "an object written before the outage");

        database.down = true;
        List<String> acknowledged = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            acknowledged.add(put(store, "doc", "during " + i).version());
        }
        String marker = store.delete(bucket, "other", VersionIds.next()).marker().orElse(null);
        var journaledOther = put(store, "other", "written in the outage");
        String deleteMarker = store.delete(bucket, "other", VersionIds.next()).marker().orElseThrow();

        // A delete of an object this agent wrote before the outage is acknowledged as a delete.
        var preOutageDelete = store.delete(bucket, "written-before", VersionIds.next());
        assertThat(preOutageDelete.removed()).contains(written);
        String preOutageMarker = preOutageDelete.marker().orElseThrow();

        // Read back while down: the journal knows what this agent wrote, by id.
        assertThat(store.findVersion(bucket, "doc", acknowledged.get(1)).orElseThrow().object().version()).isEqualTo(acknowledged.get(1));
        assertThat(store.findLatest(bucket, "other").orElseThrow().deleteMarker()).isTrue();
        assertThat(store.find(bucket, "other")).isEmpty();
        assertThatThrownBy(() -> store.listVersionsOfKey(bucket, "doc", null, 10)).isInstanceOf(MetadataUnavailableException.class);
        assertThatThrownBy(() -> store.deleteVersion(bucket, "doc", before.version())).isInstanceOf(MetadataUnavailableException.class);

        // A restart while down: the journal is all there is.
        var restarted = open();
        database.down = false;
        restarted.replayTick();
        // A second replay (a crash after applying, before forgetting) must not add anything.
        restarted.replayTick();

        assertThat(restarted.writingToDatabase()).isTrue();
        assertThat(restarted.listVersionsOfKey(bucket, "doc", null, 10)).extracting(ObjectVersion::version)
            .as("current + keep-last 2, with the ids acknowledged during the outage")
            .containsExactly(acknowledged.get(3), acknowledged.get(2), acknowledged.get(1));
        assertThat(restarted.find(bucket, "doc").orElseThrow().version()).isEqualTo(acknowledged.get(3));
        assertThat(restarted.listVersionsOfKey(bucket, "other", null, 10)).extracting(ObjectVersion::version)
            .containsExactly(deleteMarker, journaledOther.version());
        assertThat(marker).as("a delete of a key unknown during the outage is journaled too").isNotNull();
        assertThat(restarted.findVersion(bucket, "doc", before.version())).as("pruned by keep-last at replay").isEmpty();
        assertThat(restarted.listVersionsOfKey(bucket, "written-before", null, 10)).extracting(ObjectVersion::version)
            .containsExactly(preOutageMarker, written.version());
        assertThat(restarted.usage(bucket).objects()).isEqualTo(1);
        assertThat(restarted.usage(bucket).bytes()).isEqualTo(3L * "during 0".length() + "written in the outage".length()
            + "an object written before the outage".length());
    }
}
