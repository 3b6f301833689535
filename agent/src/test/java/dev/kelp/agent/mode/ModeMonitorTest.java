package dev.kelp.agent.mode;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.agent.events.AgentEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModeMonitorTest {

    private final List<AgentEvent> events = new ArrayList<>();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final Clock clock = Clock.fixed(Instant.parse("2026-11-24T10:00:00Z"), ZoneOffset.UTC);

    private ModeMonitor monitor(boolean seaweedConfigured) {
        return new ModeMonitor(events::add, meters, clock, seaweedConfigured);
    }

    @Test
    void withoutSeaweedFsTheAgentIsLocalOnlyAndSaysWhy() {
        var state = monitor(false).current();

        assertThat(state.mode()).isEqualTo(Mode.LOCAL_ONLY);
        assertThat(state.reasons()).singleElement().asString().contains("no SeaweedFS endpoint");
    }

    @Test
    void seaweedFsOutageMeansFallbackAndRecoveryMeansFull() {
        var monitor = monitor(true);
        assertThat(monitor.current().mode()).isEqualTo(Mode.FULL);

        monitor.report(Signal.SEAWEEDFS, false, "connection refused");
        assertThat(monitor.current().mode()).isEqualTo(Mode.FALLBACK);
        assertThat(monitor.current().reasons()).containsExactly("seaweedfs: connection refused");

        monitor.report(Signal.SEAWEEDFS, true, null);
        assertThat(monitor.current().mode()).isEqualTo(Mode.FULL);
        assertThat(monitor.current().reasons()).isEmpty();
    }

    @Test
    void metadataOutageOutranksSeaweedFsOutage() {
        var monitor = monitor(true);
        monitor.report(Signal.SEAWEEDFS, false, "timeout");
        monitor.report(Signal.METADATA, false, "PostgreSQL refused the connection");

        assertThat(monitor.current().mode()).isEqualTo(Mode.LOCAL_ONLY);
        monitor.report(Signal.METADATA, true, null);
        assertThat(monitor.current().mode()).isEqualTo(Mode.FALLBACK);
    }

    @Test
    void everyTransitionIsCountedAndSentAsAnEventButRepeatsAreNot() {
        var monitor = monitor(true);
        List<ModeState> seen = new ArrayList<>();
        monitor.addListener(seen::add);

        monitor.report(Signal.SEAWEEDFS, false, "timeout");
        monitor.report(Signal.SEAWEEDFS, false, "timeout");
        monitor.report(Signal.SEAWEEDFS, true, null);

        assertThat(seen).extracting(ModeState::mode).containsExactly(Mode.FALLBACK, Mode.FULL);
        assertThat(events).extracting(AgentEvent::type).containsOnly(AgentEvent.Type.MODE_TRANSITION).hasSize(2);
        assertThat(events.getFirst().detail()).containsEntry("from", "FULL").containsEntry("to", "FALLBACK");
        assertThat(meters.counter("kelp.mode.transitions", "from", "FULL", "to", "FALLBACK").count()).isEqualTo(1.0);
    }

    @Test
    void aNewReasonInTheSameModeKeepsSince() {
        var monitor = monitor(true);
        monitor.report(Signal.SEAWEEDFS, false, "timeout");
        var since = monitor.current().since();
        monitor.report(Signal.SEAWEEDFS, false, "HTTP 503");

        assertThat(monitor.current().since()).isEqualTo(since);
        assertThat(monitor.current().reasons()).containsExactly("seaweedfs: HTTP 503");
        assertThat(events).hasSize(1);
    }
}
