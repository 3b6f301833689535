package dev.kelp.agent.events.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kelp.agent.events.AgentEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class EventSchemaTest {

    static AgentEvent at(String instant) {
        return new AgentEvent(UUID.randomUUID(), Instant.parse(instant), AgentEvent.Type.LOAD, "b", "k", Map.of());
    }

    @Test
    void thePartitionDayIsTheEventsOwnUtcDay() {
        assertThat(EventSchema.day(Instant.parse("2026-12-01T23:59:59.999Z"))).isEqualTo("2026-12-01");
        assertThat(EventSchema.day(Instant.parse("2026-12-02T00:00:00Z"))).isEqualTo("2026-12-02");
    }

    @Test
    void aLateReplayKeepsOnlyWhatIsLeftOfTheTtl() {
        Duration ttl = Duration.ofDays(30);
        Instant now = Instant.parse("2026-12-11T00:00:00Z");
        assertThat(EventSchema.remainingTtlSeconds(at("2026-12-11T00:00:00Z"), ttl, now)).isEqualTo((int) ttl.toSeconds());
        assertThat(EventSchema.remainingTtlSeconds(at("2026-12-01T00:00:00Z"), ttl, now)).isEqualTo((int) Duration.ofDays(20).toSeconds());
        assertThat(EventSchema.remainingTtlSeconds(at("2026-11-01T00:00:00Z"), ttl, now)).as("expired: not written").isZero();
        assertThat(EventSchema.remainingTtlSeconds(at("2026-12-12T00:00:00Z"), ttl, now)).as("clock skew: full ttl").isEqualTo((int) ttl.toSeconds());
    }

    @Test
    void theTableIsBucketedByAgentAndDayAndExpiresByDefault() {
        assertThat(EventSchema.createTable("kelp_events", Duration.ofDays(30)))
            .contains("PRIMARY KEY ((agent_id, day), at, id)")
            .contains("default_time_to_live = 2592000");
        assertThat(EventSchema.insert("kelp_events")).endsWith("USING TTL ?");
    }

    static CassandraEventsConfig config(List<String> points, String keyspace, String user, String password) {
        return new CassandraEventsConfig(points, "dc1", keyspace, 1, Duration.ofDays(30), 100, Duration.ofMillis(250),
            Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(15), 10_000, 1 << 20, user, password);
    }

    @Test
    void configurationRefusesWhatWouldFailLater() {
        assertThat(config(List.of("cassandra.kelp.svc:9042", "10.0.0.7:9042"), "kelp_events", null, null).addresses())
            .extracting(a -> a.getHostString() + ":" + a.getPort()).containsExactly("cassandra.kelp.svc:9042", "10.0.0.7:9042");
        assertThatThrownBy(() -> config(List.of("cassandra"), "kelp_events", null, null)).hasMessageContaining("host:port");
        assertThatThrownBy(() -> config(List.of("cassandra:x"), "kelp_events", null, null)).hasMessageContaining("bad port");
        assertThatThrownBy(() -> config(List.of("c:9042"), "kelp-events; DROP", null, null)).hasMessageContaining("keyspace");
        assertThatThrownBy(() -> config(List.of("c:9042"), "kelp_events", "kelp", null)).hasMessageContaining("set both or neither");
    }
}
