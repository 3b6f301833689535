package dev.kelp.agent.events.cassandra;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.agent.events.AgentEvent;
import dev.kelp.agent.fallback.FallbackConfig;
import dev.kelp.agent.fallback.FallbackVolume;
import dev.kelp.testkit.FreePorts;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A shutdown while Cassandra is unreachable loses nothing queued: it lands in the spool, in a bounded time. */
class CassandraEventSinkShutdownTest {

    @TempDir
    Path dir;

    @Test
    void whatIsQueuedAtShutdownIsSpooledWhenCassandraIsUnreachable() throws Exception {
        int closedPort = FreePorts.take();
        var config = new CassandraEventsConfig(List.of("127.0.0.1:" + closedPort), "datacenter1", "kelp_events", 1, Duration.ofDays(30),
            100, Duration.ofMillis(250), Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(15), 10_000, 1 << 20, null, null);
        var meters = new SimpleMeterRegistry();
        var sink = new CassandraEventSink(config, "shutdown-test", new FallbackVolume(new FallbackConfig(dir, 0, 0)), meters, Clock.systemUTC());

        List<AgentEvent> emitted = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            var e = new AgentEvent(UUID.randomUUID(), Instant.now(), AgentEvent.Type.ACCESS, "b", "k" + i, Map.of());
            emitted.add(e);
            sink.emit(e);
        }
        long t0 = System.nanoTime();
        sink.close();
        long closeMillis = (System.nanoTime() - t0) / 1_000_000;

        assertThat(SpooledFiles.events(dir.resolve("events-spool"))).containsExactlyInAnyOrderElementsOf(emitted);
        assertThat(closeMillis).as("a shutdown is bounded").isLessThan(10_000);
        assertThat(meters.counter("kelp.events.spooled").count()).isEqualTo(2000);
        assertThat(meters.find("kelp.events.dropped").counters()).allSatisfy(c -> assertThat(c.count()).isZero());
        assertThat(meters.get("kelp.events.spool.bytes").gauge().value()).isPositive();
    }
}
