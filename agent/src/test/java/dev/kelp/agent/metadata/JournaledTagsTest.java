package dev.kelp.agent.metadata;

import static dev.kelp.agent.metadata.MetadataStoreContract.hashOf;
import static dev.kelp.agent.metadata.MetadataStoreContract.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.kelp.agent.events.AgentEvent;
import dev.kelp.agent.metadata.MetadataStore.BlobRef;
import dev.kelp.agent.metadata.MetadataStore.PutOutcome;
import dev.kelp.agent.metadata.MetadataStore.Usage;
import dev.kelp.agent.mode.Mode;
import dev.kelp.agent.mode.ModeMonitor;
import dev.kelp.agent.object.ObjectRecord;
import dev.kelp.agent.versions.VersioningConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micronaut.context.ApplicationContext;
import io.micronaut.json.JsonMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tag sets (S3's PutObjectTagging) through the journaling store: straight to the database while
 * it answers; journaled while it does not, read back at once, and applied exactly once at
 * replay, surviving an agent restart in between. The database is the real embedded H2 behind a
 * switch ({@link FlakyDatabase}); the replayer is ticked by hand.
 */
class JournaledTagsTest {

    @TempDir
    static Path databaseDir;

    static ApplicationContext context;

    @TempDir
    Path fallbackDir;

    String bucket;
    FlakyDatabase database;
    final List<AgentEvent> events = new CopyOnWriteArrayList<>();
    ModeMonitor mode;
    final List<JournalingMetadataStore> opened = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startEmbedded() {
        context = ApplicationContext.run(Map.of("kelp.fallback.dir", databaseDir.toString()), "test");
    }

    @AfterAll
    static void stopEmbedded() {
        context.close();
    }

    @BeforeEach
    void setUp() {
        bucket = "j-" + UUID.randomUUID().toString().substring(0, 13);
        database = new FlakyDatabase(context.getBean(JdbcMetadataStore.class));
        mode = new ModeMonitor(events::add, new SimpleMeterRegistry(), "http://seaweedfs.test:8333");
    }

    @AfterEach
    void closeStores() throws InterruptedException {
        for (JournalingMetadataStore s : opened) {
            s.stop();
        }
    }

    /** A store as the agent starts it, but with the replayer left to the test. */
    JournalingMetadataStore open() {
        return open(Duration.ofHours(1));
    }

    JournalingMetadataStore open(Duration probeInterval) {
        var journal = new MetadataJournal(fallbackDir, context.getBean(JsonMapper.class));
        var store = new JournalingMetadataStore(database, journal, mode,
            new MetadataConfig(null, null, null, probeInterval, 1000L), context.getBean(VersioningConfig.class), new SimpleMeterRegistry());
        store.resumeFromJournal();
        opened.add(store);
        return store;
    }

    ObjectRecord record(String key, String content) {
        return MetadataStoreContract.record(bucket, key, content);
    }

    long journalFiles() throws Exception {
        try (Stream<Path> files = Files.list(fallbackDir.resolve("metadata-journal"))) {
            return files.count();
        }
    }

    static final Map<String, String> TEAM = Map.of("team", "storage");

    static Map<String, String> ordered(String... kv) {
        var map = new java.util.LinkedHashMap<String, String>();
        for (int i = 0; i < kv.length; i += 2) {
            map.put(kv[i], kv[i + 1]);
        }
        return map;
    }

    @Test
    void aTagSetReplacesTheVersionsTagsAndNothingElse() {
        var store = open();
        ObjectRecord stored = store.put(record("k", "v").withTags(TEAM)).stored();
        assertThat(store.find(bucket, "k").orElseThrow().tags()).isEqualTo(TEAM);

        var tags = ordered("b", "2", "a", "1");
        ObjectRecord tagged = store.putTags(bucket, "k", stored.version(), tags).orElseThrow();

        assertThat(tagged.tags()).containsExactly(Map.entry("b", "2"), Map.entry("a", "1"));
        ObjectRecord found = store.find(bucket, "k").orElseThrow();
        assertThat(found.tags().entrySet()).containsExactly(Map.entry("b", "2"), Map.entry("a", "1"));
        assertThat(found.withTags(Map.of())).isEqualTo(stored.withTags(Map.of()));
        assertThat(database.usage(bucket)).isEqualTo(new Usage(1, 1));
        assertThat(store.putTags(bucket, "k", stored.version(), Map.of()).orElseThrow().tags()).isEmpty();
        assertThat(store.find(bucket, "k").orElseThrow().tags()).isEmpty();
        assertThat(store.putTags(bucket, "k", dev.kelp.agent.versions.VersionIds.next(), TEAM)).isEmpty();
        assertThat(store.putTags(bucket, "missing", stored.version(), TEAM)).isEmpty();
    }

    @Test
    void tagsWrittenWhileTheDatabaseIsDownReadBackAndReplayExactlyOnceAcrossARestart() throws Exception {
        var before = open();
        ObjectRecord old = before.put(record("known", "before the outage")).stored();
        database.down = true;
        // A put with tags during the outage, then its tags replaced twice; and the tags of an
        // object written before the outage (this agent last saw it), replaced once.
        ObjectRecord journaled = before.put(record("new", "during").withTags(TEAM)).stored();
        before.putTags(bucket, "new", journaled.version(), ordered("step", "1"));
        before.putTags(bucket, "new", journaled.version(), ordered("step", "2", "final", "yes"));
        ObjectRecord oldTagged = before.putTags(bucket, "known", old.version(), ordered("seen", "before")).orElseThrow();
        assertThat(oldTagged.version()).isEqualTo(old.version());
        assertThat(journalFiles()).isEqualTo(4);

        assertThat(before.find(bucket, "new").orElseThrow().tags()).containsExactly(Map.entry("step", "2"), Map.entry("final", "yes"));
        assertThat(before.find(bucket, "known").orElseThrow().tags()).containsExactly(Map.entry("seen", "before"));
        assertThat(before.findVersion(bucket, "new", journaled.version()).orElseThrow().object().tags()).containsKey("final");
        assertThat(mode.current().mode()).isEqualTo(Mode.LOCAL_ONLY);
        // A key this agent never saw cannot be tagged while the database is down: not a guess.
        assertThatThrownBy(() -> before.putTags(bucket, "unknown", old.version(), TEAM)).isInstanceOf(MetadataUnavailableException.class);
        assertThat(journalFiles()).isEqualTo(4);
        before.stop();

        // The agent restarts while the database is still down, then the database comes back.
        var restarted = open();
        assertThat(restarted.find(bucket, "new").orElseThrow().tags()).containsExactly(Map.entry("step", "2"), Map.entry("final", "yes"));
        database.down = false;
        restarted.replayTick();

        assertThat(database.applied).hasValue(4);
        assertThat(database.skipped).hasValue(0);
        assertThat(journalFiles()).isZero();
        assertThat(database.find(bucket, "new").orElseThrow().tags()).containsExactly(Map.entry("step", "2"), Map.entry("final", "yes"));
        assertThat(database.find(bucket, "known").orElseThrow().tags()).containsExactly(Map.entry("seen", "before"));
        // Tagging made no version: each key has the one version it was written with.
        assertThat(database.listVersionsOfKey(bucket, "new", null, 10)).hasSize(1);
        assertThat(database.listVersionsOfKey(bucket, "known", null, 10)).singleElement()
            .satisfies(v -> assertThat(v.version()).isEqualTo(old.version()));
        assertThat(database.usage(bucket)).isEqualTo(new Usage("before the outage".length() + "during".length(), 2));
        assertThat(mode.current().mode()).isEqualTo(Mode.FULL);
    }

    @Test
    void aTagEntryAppliedJustBeforeACrashIsNotAppliedAgain() throws Exception {
        var before = open();
        ObjectRecord stored = before.put(record("k", "v")).stored();
        database.down = true;
        before.putTags(bucket, "k", stored.version(), ordered("first", "1"));
        before.putTags(bucket, "k", stored.version(), ordered("second", "2"));
        before.stop();
        JournalEntry first = new MetadataJournal(fallbackDir, context.getBean(JsonMapper.class)).pending().getFirst();
        database.down = false;
        assertThat(database.apply(first)).isTrue();

        var restarted = open();
        restarted.replayTick();

        assertThat(database.skipped).as("the first entry is recognised").hasValue(1);
        assertThat(database.applied).hasValue(2);
        assertThat(database.find(bucket, "k").orElseThrow().tags()).containsExactly(Map.entry("second", "2"));
    }

    @Test
    void tagsJournaledForAVersionGoneByReplayChangeNothingAndDoNotBlockTheJournal() throws Exception {
        var store = open();
        ObjectRecord stored = store.put(record("k", "v")).stored();
        database.down = true;
        store.putTags(bucket, "k", stored.version(), TEAM);
        store.put(record("after", "x"));
        database.down = false;
        // Meanwhile another agent deleted the object for good.
        database.delete(bucket, "k", dev.kelp.agent.versions.VersionIds.next());

        store.replayTick();

        assertThat(journalFiles()).isZero();
        assertThat(database.find(bucket, "k")).isEmpty();
        assertThat(database.find(bucket, "after")).isPresent();
        assertThat(mode.current().mode()).isEqualTo(Mode.FULL);
    }
}
