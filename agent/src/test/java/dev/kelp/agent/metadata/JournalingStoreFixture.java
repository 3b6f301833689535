package dev.kelp.agent.metadata;

import dev.kelp.agent.events.AgentEvent;
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
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the journaling tests share: the real embedded H2 behind a switch ({@link FlakyDatabase}),
 * a fresh bucket and fallback volume per test, and stores opened as the agent opens them but
 * with the replayer left to the test.
 */
abstract class JournalingStoreFixture {

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
}
