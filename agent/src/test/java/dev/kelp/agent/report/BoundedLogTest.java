package dev.kelp.agent.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class BoundedLogTest {

    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    private final BoundedLog log = new BoundedLog(Duration.ofMinutes(1));

    @Test
    void logsTheFirstFailureThenOnePerIntervalWithTheCountInBetween() {
        assertThat(log.shouldLog(T0)).isTrue();
        assertThat(log.suppressed()).isZero();
        for (int s = 1; s < 60; s++) {
            assertThat(log.shouldLog(T0.plusSeconds(s))).isFalse();
        }
        assertThat(log.shouldLog(T0.plusSeconds(60))).isTrue();
        assertThat(log.suppressed()).isEqualTo(59);
    }

    @Test
    void aRecoveryMakesTheNextFailureLogAtOnce() {
        log.shouldLog(T0);
        log.recovered();

        assertThat(log.inFailureRun()).isFalse();
        assertThat(log.shouldLog(T0.plusSeconds(1))).isTrue();
    }
}
