package dev.kelp.agent.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ReportScheduleTest {

    private static final Duration DEBOUNCE = Duration.ofSeconds(1);
    private static final Duration HEARTBEAT = Duration.ofSeconds(60);
    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    private final ReportSchedule midJitter = new ReportSchedule(DEBOUNCE, HEARTBEAT, () -> 0.5);

    @Test
    void firstReportGoesOutAtOnce() {
        assertThat(midJitter.due(T0)).isTrue();
    }

    @Test
    void withoutChangesTheNextReportIsTheHeartbeat() {
        midJitter.sent(T0);

        assertThat(midJitter.due(T0.plusSeconds(59))).isFalse();
        assertThat(midJitter.due(T0.plusSeconds(60))).isTrue();
    }

    @Test
    void aChangeAfterAQuietSpellGoesOutAtOnce() {
        midJitter.sent(T0);
        midJitter.changed();

        assertThat(midJitter.due(T0.plusSeconds(5))).isTrue();
    }

    @Test
    void aChangeRightAfterAReportWaitsForTheDebounce() {
        midJitter.sent(T0);
        midJitter.changed();

        assertThat(midJitter.due(T0.plusMillis(999))).isFalse();
        assertThat(midJitter.due(T0.plusMillis(1000))).isTrue();
    }

    @Test
    void aFlappingAgentSendsAtMostOneReportPerDebounce() {
        int sent = 0;
        // A change every 50 ms for 10 s, the schedule asked every 10 ms.
        for (long ms = 0; ms <= 10_000; ms += 10) {
            Instant now = T0.plusMillis(ms);
            if (ms % 50 == 0) {
                midJitter.changed();
            }
            if (midJitter.due(now)) {
                midJitter.sent(now);
                sent++;
            }
        }
        assertThat(sent).isBetween(10, 11);
    }

    @Test
    void heartbeatsAreJitteredTenPercentEitherWay() {
        var early = new ReportSchedule(DEBOUNCE, HEARTBEAT, () -> 0.0);
        var late = new ReportSchedule(DEBOUNCE, HEARTBEAT, () -> 0.999_999);
        early.sent(T0);
        late.sent(T0);

        assertThat(early.nextHeartbeat()).isEqualTo(T0.plusSeconds(54));
        assertThat(late.nextHeartbeat()).isBetween(T0.plusMillis(65_999), T0.plusSeconds(66));
    }

    @Test
    void failuresBackOffDoublingUpToTheHeartbeat() {
        midJitter.sent(T0);
        midJitter.changed();
        Instant now = T0.plusSeconds(10);
        Duration[] expected = {Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(8),
            Duration.ofSeconds(16), Duration.ofSeconds(32), HEARTBEAT, HEARTBEAT};
        for (Duration wait : expected) {
            assertThat(midJitter.due(now)).isTrue();
            midJitter.failed(now, false);
            assertThat(midJitter.due(now.plus(wait).minusMillis(1))).isFalse();
            now = now.plus(wait);
        }
        assertThat(midJitter.due(now)).isTrue();
    }

    @Test
    void aFailedReportIsResentEvenWithoutAnotherChange() {
        midJitter.sent(T0);
        midJitter.failed(T0.plusSeconds(60), false);

        assertThat(midJitter.due(T0.plusSeconds(61))).isTrue();
    }

    @Test
    void aNonLeaderAnswerIsRetriedAfterTheDebounceOnly() {
        for (int i = 0; i < 5; i++) {
            midJitter.failed(T0, false);
        }
        midJitter.failed(T0, true);

        assertThat(midJitter.due(T0.plus(DEBOUNCE))).isTrue();
    }

    @Test
    void successEndsTheBackoff() {
        for (int i = 0; i < 6; i++) {
            midJitter.failed(T0, false);
        }
        midJitter.sent(T0.plusSeconds(60));
        midJitter.changed();

        assertThat(midJitter.due(T0.plusSeconds(61))).isTrue();
    }
}
