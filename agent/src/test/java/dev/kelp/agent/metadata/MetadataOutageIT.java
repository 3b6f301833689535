package dev.kelp.agent.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.kelp.agent.events.AgentEvent;
import dev.kelp.agent.metadata.MetadataStore.PutOutcome;
import dev.kelp.agent.mode.Mode;
import dev.kelp.agent.mode.ModeMonitor;
import dev.kelp.agent.object.ObjectRecord;
import dev.kelp.testkit.ProvingGround;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micronaut.context.ApplicationContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * PostgreSQL goes away in the middle of 200 writes and comes back: every write is acknowledged
 * (journaled locally), read back while it is down, and in PostgreSQL exactly once afterwards.
 *
 * Stops and kills the instance that {@code postgres.sh} controls with this JVM's environment
 * and starts it again: in CI the suite's own one (restored before the next test), next to other
 * engineers a private one (export KELP_RUN and KELP_PG_PORT, see docs/development.md).
 */
class MetadataOutageIT {

    static final int OBJECTS = 200;
    static final int BEFORE_OUTAGE = 50;

    static ProvingGround.Service postgres;
    static TestDatabases server;

    @TempDir
    Path fallbackDir;

    String databaseUrl;
    ApplicationContext context;
    final List<AgentEvent> events = new CopyOnWriteArrayList<>();
    ModeMonitor mode;
    final String bucket = "outage";

    @BeforeAll
    static void ownInstance() {
        postgres = ProvingGround.service("postgres");
        Map<String, String> env = postgres.env();
        server = new TestDatabases(env.get("KELP_PG_URL"), env.get("KELP_PG_USER"), env.get("KELP_PG_PASSWORD"));
        postgres.start();
    }

    @AfterAll
    static void leaveItRunning() {
        // The other ITs of this run share the instance: it must be up when this class is done.
        postgres.start();
    }

    @BeforeEach
    void startAgentMetadata() throws Exception {
        databaseUrl = server.create("outage");
        mode = new ModeMonitor(events::add, new SimpleMeterRegistry(), "http://seaweedfs.test:8333");
        context = ApplicationContext.builder()
            .properties(Map.of(
                "kelp.fallback.dir", fallbackDir.toString(),
                "kelp.metadata.url", databaseUrl,
                "kelp.metadata.username", server.user(),
                "kelp.metadata.password", server.password()))
            .environments("test")
            .build();
        context.registerSingleton(ModeMonitor.class, mode);
        context.start();
    }

    @AfterEach
    void stopAgentMetadata() throws Exception {
        postgres.start();
        if (context != null) {
            context.close();
        }
        server.drop(databaseUrl);
    }

    @ParameterizedTest(name = "PostgreSQL {0}ped after {1} writes")
    @ValueSource(strings = {"stop", "kill"})
    void writesGoOnThroughAnOutageAndLandInPostgresExactlyOnce(String outage) throws Exception {
        var store = (JournalingMetadataStore) context.getBean(MetadataStore.class);
        assertThat(context.getBean(ModeMonitor.class)).isSameAs(mode);
        await().atMost(Duration.ofSeconds(10)).until(store::writingToDatabase);

        List<PutOutcome> outcomes = new ArrayList<>();
        Map<String, ObjectRecord> written = new HashMap<>();
        long outageStarted = 0;
        for (int i = 0; i < OBJECTS; i++) {
            if (i == BEFORE_OUTAGE) {
                if (outage.equals("stop")) {
                    postgres.stop();
                } else {
                    postgres.kill();
                }
                outageStarted = System.nanoTime();
            }
            ObjectRecord record = MetadataStoreContract.record(bucket, "objects/%04d".formatted(i), "content of object " + i);
            outcomes.add(store.put(record));
            written.put(record.key(), record);
        }
        long outageWritesMillis = (System.nanoTime() - outageStarted) / 1_000_000;

        assertThat(outcomes.subList(0, BEFORE_OUTAGE)).allSatisfy(o -> assertThat(o.stored().versionId()).isPositive());
        assertThat(store.journaledWrites()).isEqualTo(OBJECTS - BEFORE_OUTAGE);
        assertThat(mode.current().mode()).isEqualTo(Mode.LOCAL_ONLY);
        assertThat(mode.current().reasons()).anySatisfy(r -> assertThat(r).startsWith("metadata: database unreachable"));
        for (int i = BEFORE_OUTAGE; i < OBJECTS; i++) {
            String key = "objects/%04d".formatted(i);
            assertThat(store.find(bucket, key)).as("read-your-writes of %s", key)
                .hasValueSatisfying(r -> assertThat(r.hash()).isEqualTo(written.get(key).hash()));
        }
        assertThat(store.find(bucket, "objects/0000")).as("written before the outage: its last-known record")
            .hasValueSatisfying(r -> assertThat(r.hash()).isEqualTo(written.get("objects/0000").hash()));
        assertThatThrownBy(() -> store.find(bucket, "never/written"))
            .as("a key this agent never saw: only PostgreSQL could say").isInstanceOf(MetadataUnavailableException.class);

        postgres.start();
        long restarted = System.nanoTime();
        await().atMost(Duration.ofSeconds(60)).until(() -> store.writingToDatabase() && mode.current().mode() == Mode.FULL);
        long replayMillis = (System.nanoTime() - restarted) / 1_000_000;
        System.out.printf("outage (%s): %d journaled writes took %d ms; replayed %d ms after PostgreSQL started%n",
            outage, OBJECTS - BEFORE_OUTAGE, outageWritesMillis, replayMillis);

        assertThat(journalFiles()).isZero();
        assertThat(store.journaledWrites()).isZero();
        assertInPostgresExactlyOnce(written);
        assertThat(store.find(bucket, "objects/0000")).isPresent();
        assertThat(store.list(bucket, "objects/", null, 1000)).hasSize(OBJECTS);
        assertThat(events).extracting(e -> e.detail().get("to")).containsExactly("LOCAL_ONLY", "FULL");
    }

    private void assertInPostgresExactlyOnce(Map<String, ObjectRecord> written) throws Exception {
        try (Connection c = DriverManager.getConnection(databaseUrl, server.user(), server.password()); var st = c.createStatement()) {
            Map<String, String> hashes = new HashMap<>();
            try (var rs = st.executeQuery("SELECT o.object_key, v.hash FROM objects o JOIN object_versions v ON v.id = o.version_id"
                + " WHERE o.bucket = '" + bucket + "'")) {
                while (rs.next()) {
                    assertThat(hashes.put(rs.getString(1), rs.getString(2))).as("%s once", rs.getString(1)).isNull();
                }
            }
            assertThat(hashes).hasSize(OBJECTS);
            written.forEach((key, record) -> assertThat(hashes).containsEntry(key, record.hash().hex()));
            try (var rs = st.executeQuery("SELECT COUNT(*) FROM object_versions WHERE bucket = '" + bucket + "'")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(OBJECTS);
            }
            long bytes = written.values().stream().mapToLong(ObjectRecord::size).sum();
            try (var rs = st.executeQuery("SELECT SUM(bytes), SUM(objects) FROM bucket_usage WHERE bucket = '" + bucket + "'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getLong(1)).isEqualTo(bytes);
                assertThat(rs.getLong(2)).isEqualTo(OBJECTS);
            }
            try (var rs = st.executeQuery("SELECT SUM(ref_count), COUNT(*) FROM blobs WHERE bucket = '" + bucket + "'")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(OBJECTS);
                assertThat(rs.getLong(2)).isEqualTo(OBJECTS);
            }
            try (var rs = st.executeQuery("SELECT COUNT(*) FROM applied_journal")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(OBJECTS - BEFORE_OUTAGE);
            }
        }
    }

    private long journalFiles() throws Exception {
        try (Stream<Path> files = Files.list(fallbackDir.resolve("metadata-journal"))) {
            return files.count();
        }
    }
}
