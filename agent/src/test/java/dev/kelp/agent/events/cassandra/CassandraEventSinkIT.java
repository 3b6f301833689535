package dev.kelp.agent.events.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import dev.kelp.agent.events.AgentEvent;
import dev.kelp.agent.fallback.FallbackConfig;
import dev.kelp.agent.fallback.FallbackVolume;
import dev.kelp.testkit.ProvingGround;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Events through a real Cassandra outage: N events written, Cassandra stopped (or killed -9),
 * M more emitted while it is down (each emit returns at once), Cassandra started again, and
 * then every one of the N + M events is in the table exactly once.
 *
 * Stops and kills the instance that {@code cassandra.sh} controls with this JVM's environment
 * and starts it again: in CI the suite's own one, next to other engineers a private one
 * (export KELP_RUN and KELP_CASSANDRA_PORT, see docs/development.md). It is left running.
 */
class CassandraEventSinkIT {

    static final int BEFORE_OUTAGE = 500;
    static final int DURING_OUTAGE = 500;

    static ProvingGround.Service cassandra;
    static String contactPoint;
    static String datacenter;
    // One keyspace per run of this class: runs side by side (or leftovers) never mix.
    static final String KEYSPACE = "kelp_events_it_" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);

    @TempDir
    Path fallbackDir;

    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final List<CassandraEventSink> sinks = new ArrayList<>();

    @BeforeAll
    static void ownInstance() {
        cassandra = ProvingGround.service("cassandra");
        Map<String, String> env = cassandra.env();
        contactPoint = env.get("KELP_CASSANDRA_CONTACT_POINT");
        datacenter = env.get("KELP_CASSANDRA_DATACENTER");
        cassandra.start();
    }

    @AfterEach
    void closeSinks() throws Exception {
        cassandra.start();
        for (var s : sinks) {
            s.close();
        }
    }

    @AfterAll
    static void leaveItRunningWithoutOurKeyspace() {
        // The other ITs of this run share the instance: it must be up when this class is done.
        cassandra.start();
        try (CqlSession cql = cql()) {
            // DDL waits for schema agreement: longer than the default request timeout.
            cql.execute(com.datastax.oss.driver.api.core.cql.SimpleStatement.newInstance("DROP KEYSPACE IF EXISTS " + KEYSPACE)
                .setTimeout(Duration.ofSeconds(30)));
        }
    }

    static CqlSession cql() {
        String[] hostPort = contactPoint.split(":");
        return CqlSession.builder().addContactPoint(new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1])))
            .withLocalDatacenter(datacenter).build();
    }

    CassandraEventSink sink(String agentId) {
        var config = new CassandraEventsConfig(List.of(contactPoint), datacenter, KEYSPACE, 1, Duration.ofDays(1), 100,
            Duration.ofMillis(50), Duration.ofSeconds(2), Duration.ofMillis(500), Duration.ofSeconds(15), 10_000, 64L << 20, null, null);
        var sink = new CassandraEventSink(config, agentId, new FallbackVolume(new FallbackConfig(fallbackDir, 0, 0)), meters, Clock.systemUTC());
        sinks.add(sink);
        return sink;
    }

    static AgentEvent event(int n) {
        return new AgentEvent(UUID.randomUUID(), Instant.now(), AgentEvent.Type.SAVE, "outage", "objects/%05d".formatted(n),
            Map.of("size", Integer.toString(n)));
    }

    double count(String name) {
        return meters.find(name).counters().stream().mapToDouble(c -> c.count()).sum();
    }

    @ParameterizedTest(name = "Cassandra {0}ped after {1} events")
    @ValueSource(strings = {"stop", "kill"})
    void everyEventEmittedThroughAnOutageIsInCassandraExactlyOnce(String outage) throws Exception {
        String agent = "it-" + outage + "-" + UUID.randomUUID();
        var sink = sink(agent);
        await().atMost(Duration.ofSeconds(30)).until(() -> sink.state() == CassandraEventSink.State.WRITING);

        List<AgentEvent> emitted = new ArrayList<>();
        long writeStarted = System.nanoTime();
        for (int i = 0; i < BEFORE_OUTAGE; i++) {
            AgentEvent e = event(i);
            emitted.add(e);
            sink.emit(e);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> count("kelp.events.written") >= BEFORE_OUTAGE);
        double writtenPerSecond = BEFORE_OUTAGE / ((System.nanoTime() - writeStarted) / 1e9);

        if (outage.equals("stop")) {
            cassandra.stop();
        } else {
            cassandra.kill();
        }
        long slowestEmitNanos = 0;
        long totalEmitNanos = 0;
        for (int i = BEFORE_OUTAGE; i < BEFORE_OUTAGE + DURING_OUTAGE; i++) {
            AgentEvent e = event(i);
            emitted.add(e);
            long t0 = System.nanoTime();
            sink.emit(e);
            long took = System.nanoTime() - t0;
            slowestEmitNanos = Math.max(slowestEmitNanos, took);
            totalEmitNanos += took;
            if (i % 50 == 0) {
                Thread.sleep(100); // spread over a few seconds: the writer meets the outage mid-stream
            }
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> sink.queued() == 0 && sink.state() != CassandraEventSink.State.WRITING
            && count("kelp.events.written") + count("kelp.events.spooled") >= BEFORE_OUTAGE + DURING_OUTAGE);
        assertThat(slowestEmitNanos).as("no emit waits for Cassandra").isLessThan(Duration.ofMillis(20).toNanos());
        assertThat(sink.spool().bytes()).as("the outage's events are on disk").isPositive();
        assertThat(count("kelp.events.spooled")).isGreaterThan(0);
        assertThat(sink.lastFailure()).isNotBlank();

        cassandra.start();
        long restarted = System.nanoTime();
        await().atMost(Duration.ofSeconds(60)).until(() -> sink.state() == CassandraEventSink.State.WRITING
            && sink.spool().isEmpty() && sink.queued() == 0);
        long replayMillis = (System.nanoTime() - restarted) / 1_000_000;

        System.out.printf("events (%s): %d written at %.0f/s; during the outage %d emits took %.1f us on average, %.1f us at most;"
                + " spool (%.0f events) empty %d ms after Cassandra was healthy again%n",
            outage, BEFORE_OUTAGE, writtenPerSecond, DURING_OUTAGE, totalEmitNanos / 1e3 / DURING_OUTAGE, slowestEmitNanos / 1e3,
            count("kelp.events.spooled"), replayMillis);

        assertThat(sink.dropped()).isZero();
        assertInCassandraExactlyOnce(agent, emitted);
    }

    @Test
    void replayingEventsCassandraAlreadyHasWritesNoDuplicate() throws Exception {
        // What a crash mid-replay leaves: a segment part of which is already in Cassandra.
        String agent = "it-replay-" + UUID.randomUUID();
        List<AgentEvent> events = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            events.add(event(i));
        }
        var first = sink(agent);
        await().atMost(Duration.ofSeconds(30)).until(() -> first.state() == CassandraEventSink.State.WRITING);
        events.subList(0, 200).forEach(first::emit);
        await().atMost(Duration.ofSeconds(30)).until(() -> count("kelp.events.written") >= 200);
        first.close();
        sinks.remove(first);

        try (var spool = new EventSpool(fallbackDir.resolve("events-spool"), 1 << 20, 1 << 20, n -> { })) {
            spool.append(events.subList(100, 300));
        }
        var second = sink(agent);
        await().atMost(Duration.ofSeconds(30)).until(() -> second.state() == CassandraEventSink.State.WRITING && second.spool().isEmpty());

        assertInCassandraExactlyOnce(agent, events);
    }

    @Test
    void aShutdownLosesNothingQueued() throws Exception {
        String agent = "it-shutdown-" + UUID.randomUUID();
        var sink = sink(agent);
        await().atMost(Duration.ofSeconds(30)).until(() -> sink.state() == CassandraEventSink.State.WRITING);
        List<AgentEvent> events = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            events.add(event(i));
        }
        long t0 = System.nanoTime();
        events.forEach(sink::emit);
        int queuedAtClose = sink.queued();
        sink.close();
        sinks.remove(sink);
        long millis = (System.nanoTime() - t0) / 1_000_000;
        long spooledAtClose = SpooledFiles.events(fallbackDir.resolve("events-spool")).size();
        System.out.printf("events: 3000 emitted then closed (%d still queued at close): closed after %d ms, %.0f written, %d spooled%n",
            queuedAtClose, millis, count("kelp.events.written"), spooledAtClose);
        assertThat(count("kelp.events.written") + spooledAtClose).as("each event written or spooled").isGreaterThanOrEqualTo(3000);
        assertThat(millis).as("the shutdown is bounded").isLessThan(15_000);

        // The next start replays what the shutdown had no time to write.
        var next = sink(agent);
        await().atMost(Duration.ofSeconds(30)).until(() -> next.state() == CassandraEventSink.State.WRITING && next.spool().isEmpty());
        assertInCassandraExactlyOnce(agent, events);
    }

    private void assertInCassandraExactlyOnce(String agent, List<AgentEvent> emitted) {
        Set<String> days = emitted.stream().map(e -> EventSchema.day(e.at())).collect(Collectors.toSet());
        Map<UUID, Integer> rowsById = new HashMap<>();
        Map<UUID, Row> rows = new HashMap<>();
        try (CqlSession cql = cql()) {
            var select = cql.prepare("SELECT id, type, bucket, object_key, detail, TTL(type) FROM " + KEYSPACE + ".events WHERE agent_id = ? AND day = ?");
            for (String day : days) {
                for (Row row : cql.execute(select.bind(agent, day))) {
                    rowsById.merge(row.getUuid("id"), 1, Integer::sum);
                    rows.put(row.getUuid("id"), row);
                }
            }
        }
        assertThat(rowsById.values()).as("each id once").allMatch(n -> n == 1);
        Set<UUID> expected = new HashSet<>();
        emitted.forEach(e -> expected.add(e.id()));
        assertThat(emitted).as("events missing from Cassandra").filteredOn(e -> !rowsById.containsKey(e.id()))
            .extracting(e -> e.key() + "@" + e.at()).isEmpty();
        assertThat(rowsById.keySet()).as("exactly the emitted ids").isEqualTo(expected);
        for (AgentEvent e : emitted) {
            Row row = rows.get(e.id());
            assertThat(row.getString("object_key")).isEqualTo(e.key());
            assertThat(row.getMap("detail", String.class, String.class)).isEqualTo(e.detail());
            assertThat(row.getInt(5)).as("TTL of %s", e.id()).isBetween(1, (int) Duration.ofDays(1).toSeconds());
        }
    }
}
