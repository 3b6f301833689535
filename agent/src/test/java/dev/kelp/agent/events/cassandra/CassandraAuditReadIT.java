package dev.kelp.agent.events.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.kelp.agent.config.AgentIdentity;
import dev.kelp.agent.events.AgentEvent;
import dev.kelp.agent.events.AuditQuery;
import dev.kelp.agent.events.EventStoreUnavailableException;
import dev.kelp.agent.fallback.FallbackConfig;
import dev.kelp.agent.fallback.FallbackVolume;
import dev.kelp.testkit.ProvingGround;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit trail read back from the proving ground's real Cassandra (GET /v1/audit's reader):
 * events written by the sink over two days come back newest first, filtered by bucket, owner
 * (as object owner or caller) and window, only this agent's, and bounded by the limit.
 */
class CassandraAuditReadIT {

    static final String KEYSPACE = "kelp_audit_it_" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);

    @TempDir
    Path fallbackDir;

    @Test
    void eventsComeBackNewestFirstByBucketOwnerAndWindowAndOnlyThisAgents() throws Exception {
        var cassandra = ProvingGround.service("cassandra");
        cassandra.start();
        Map<String, String> env = cassandra.env();
        var config = new CassandraEventsConfig(List.of(env.get("KELP_CASSANDRA_CONTACT_POINT")), env.get("KELP_CASSANDRA_DATACENTER"),
            KEYSPACE, 1, Duration.ofDays(7), 100, Duration.ofMillis(50), Duration.ofSeconds(5), Duration.ofMillis(500),
            Duration.ofSeconds(15), 10_000, 64L << 20, null, null);
        var meters = new SimpleMeterRegistry();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        Instant yesterday = now.minus(Duration.ofDays(1));
        var ours = new CassandraEventSink(config, "agent-a", new FallbackVolume(new FallbackConfig(fallbackDir.resolve("a"), 0, 0)), meters,
            Clock.systemUTC());
        var theirs = new CassandraEventSink(config, "agent-b", new FallbackVolume(new FallbackConfig(fallbackDir.resolve("b"), 0, 0)), meters,
            Clock.systemUTC());
        var reader = new CassandraEventReader(config, new AgentIdentity("agent-a"));
        try {
            ours.emit(event(yesterday, AgentEvent.Type.SAVE, "cards", "old.txt", "alice", "alice"));
            for (int i = 0; i < 5; i++) {
                ours.emit(event(now.minusSeconds(10 - i), AgentEvent.Type.LOAD, "cards", "k" + i, "alice", "alice"));
            }
            ours.emit(event(now.minusSeconds(2), AgentEvent.Type.ACCESS, "cards", "k1", "alice", "bob"));
            ours.emit(event(now.minusSeconds(1), AgentEvent.Type.SAVE, "thumbs", "t", "carol", "carol"));
            theirs.emit(event(now.minusSeconds(1), AgentEvent.Type.SAVE, "cards", "elsewhere", "alice", "alice"));
            await().atMost(Duration.ofSeconds(60)).until(() -> meters.counter("kelp.events.written").count() >= 9);

            var window = new AuditQuery(null, null, yesterday.minusSeconds(60), now.plusSeconds(1), 100);
            var all = reader.read(window);
            assertThat(all).extracting(AgentEvent::key).containsExactly("t", "k1", "k4", "k3", "k2", "k1", "k0", "old.txt");

            assertThat(reader.read(new AuditQuery("cards", "bob", window.from(), window.to(), 100)))
                .singleElement().satisfies(e -> assertThat(e.detail()).containsEntry("caller", "bob").containsEntry("outcome", "denied"));
            assertThat(reader.read(new AuditQuery(null, "carol", window.from(), window.to(), 100))).extracting(AgentEvent::bucket)
                .containsExactly("thumbs");
            assertThat(reader.read(new AuditQuery("cards", "alice", now.minusSeconds(60), now.plusSeconds(1), 3)))
                .extracting(AgentEvent::key).containsExactly("k1", "k4", "k3");
            assertThat(reader.read(new AuditQuery(null, null, yesterday.minusSeconds(60), yesterday.plusSeconds(1), 100)))
                .extracting(AgentEvent::key).containsExactly("old.txt");
        } finally {
            ours.close();
            theirs.close();
            reader.close();
        }
        var unreachable = new CassandraEventsConfig(List.of("127.0.0.1:1"), "datacenter1", KEYSPACE, 1, Duration.ofDays(7), 100,
            Duration.ofMillis(50), Duration.ofSeconds(1), Duration.ofMillis(500), Duration.ofSeconds(15), 10_000, 64L << 20, null, null);
        var nowhere = new CassandraEventReader(unreachable, new AgentIdentity("agent-a"));
        assertThatThrownBy(() -> nowhere.read(new AuditQuery(null, null, now.minusSeconds(60), now, 10)))
            .isInstanceOf(EventStoreUnavailableException.class).hasMessageContaining("cannot be read from Cassandra");
        nowhere.close();
    }

    static AgentEvent event(Instant at, AgentEvent.Type type, String bucket, String key, String owner, String caller) {
        Map<String, String> detail = type == AgentEvent.Type.ACCESS
            ? Map.of("owner", owner, "caller", caller, "outcome", "denied", "action", "read")
            : Map.of("owner", owner, "caller", caller);
        return new AgentEvent(UUID.randomUUID(), at, type, bucket, key, detail);
    }
}
