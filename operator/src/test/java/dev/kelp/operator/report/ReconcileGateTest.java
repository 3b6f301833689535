package dev.kelp.operator.report;

import static dev.kelp.operator.report.Reports.T0;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ReconcileGateTest {

    private final ReconcileGate<String> gate = new ReconcileGate<>(Duration.ofSeconds(5));

    @Test
    void theFirstChangeFiresAtOnce() {
        assertThat(gate.offer("shop/templates", T0)).isEqualTo(T0);
    }

    @Test
    void changesWhileAFiringIsScheduledJoinIt() {
        gate.offer("shop/templates", T0);

        assertThat(gate.offer("shop/templates", T0.plusMillis(10))).isNull();
        assertThat(gate.offer("shop/templates", T0.plusMillis(20))).isNull();
    }

    @Test
    void aChangeSoonAfterAFiringWaitsForTheIntervalToEnd() {
        gate.offer("shop/templates", T0);
        gate.fired("shop/templates", T0);

        assertThat(gate.offer("shop/templates", T0.plusSeconds(1))).isEqualTo(T0.plusSeconds(5));
    }

    @Test
    void aChangeAfterTheIntervalFiresAtOnce() {
        gate.offer("shop/templates", T0);
        gate.fired("shop/templates", T0);

        assertThat(gate.offer("shop/templates", T0.plusSeconds(7))).isEqualTo(T0.plusSeconds(7));
    }

    @Test
    void aThousandReportsASecondFireOncePerIntervalPerPolicy() {
        int fired = 0;
        java.time.Instant scheduledAt = null;
        for (long ms = 0; ms < 60_000; ms++) {
            var now = T0.plusMillis(ms);
            if (scheduledAt != null && !now.isBefore(scheduledAt)) {
                gate.fired("shop/templates", now);
                fired++;
                scheduledAt = null;
            }
            var at = gate.offer("shop/templates", now);
            if (at != null) {
                scheduledAt = at;
            }
        }
        assertThat(fired).isBetween(12, 13);
    }

    @Test
    void policiesAreGatedApart() {
        gate.offer("shop/templates", T0);
        gate.fired("shop/templates", T0);

        assertThat(gate.offer("shop/images", T0.plusSeconds(1))).isEqualTo(T0.plusSeconds(1));
    }

    @Test
    void aSkippedFiringDoesNotDelayTheNextChange() {
        gate.offer("shop/templates", T0);
        gate.skipped("shop/templates", T0);

        assertThat(gate.offer("shop/templates", T0.plusSeconds(1))).isEqualTo(T0.plusSeconds(1));
    }

    @Test
    void aChangeWhileAFiringFoldsGetsAFiringOfItsOwnAfterTheInterval() {
        gate.offer("shop/templates", T0);
        gate.folding("shop/templates");

        assertThat(gate.offer("shop/templates", T0.plusMillis(5))).isNull();
        assertThat(gate.fired("shop/templates", T0.plusMillis(10))).isEqualTo(T0.plusMillis(10).plusSeconds(5));
    }

    @Test
    void aChangeWhileASkippedFiringFoldsFiresAtOnce() {
        gate.offer("shop/templates", T0);
        gate.folding("shop/templates");
        gate.offer("shop/templates", T0.plusMillis(5));

        assertThat(gate.skipped("shop/templates", T0.plusMillis(10))).isEqualTo(T0.plusMillis(10));
    }

    @Test
    void aFiringWithNoChangeWhileItFoldedAsksForNoOther() {
        gate.offer("shop/templates", T0);
        gate.folding("shop/templates");

        assertThat(gate.fired("shop/templates", T0.plusMillis(10))).isNull();
        assertThat(gate.offer("shop/templates", T0.plusSeconds(1))).isEqualTo(T0.plusMillis(10).plusSeconds(5));
    }
}
