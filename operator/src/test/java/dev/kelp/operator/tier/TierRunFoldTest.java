package dev.kelp.operator.tier;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.crds.v1alpha1.TierRuleStatus;
import dev.kelp.operator.report.TierRunReport;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TierRunFoldTest {

    private static TierRunReport run(String id, String phase, String finished, long moved, String message) {
        return new TierRunReport("archive", id, phase, Instant.parse("2026-12-01T10:00:00Z"), finished == null ? null : Instant.parse(finished),
            moved, moved * 100, 1, 50, 700, moved * 100, "Failed".equals(phase) ? 2 : 0, message);
    }

    @Test
    void theNewestFinishedRunOfAnyAgentFillsTheStatus() {
        var status = new TierRuleStatus();
        TierRunFold.fold(new TierRuleStatus(), List.of(
            run("20261201T100000Z-aaaa", "Succeeded", "2026-12-01T10:01:00Z", 3, null),
            run("20261201T110000Z-bbbb", "Succeeded", "2026-12-01T11:02:00Z", 5, null),
            run("20261201T120000Z-cccc", "Running", null, 0, null)), status);

        assertThat(status.getLastRun()).isEqualTo("2026-12-01T11:02:00Z");
        assertThat(status.getObjectsMoved()).isEqualTo(5L);
        assertThat(status.getBytesMoved()).isEqualTo(500L);
        assertThat(status.getBytesPerTier()).isEqualTo(Map.of("hot", 700L, "cold", 500L));
    }

    @Test
    void withNoRunReportedTheFiguresAlreadyInStatusStay() {
        var previous = new TierRuleStatus();
        previous.setLastRun("2026-11-30T00:00:00Z");
        previous.setObjectsMoved(9L);
        previous.setBytesMoved(900L);
        previous.setBytesPerTier(Map.of("hot", 1L, "cold", 900L));
        var status = new TierRuleStatus();
        TierRunFold.fold(previous, List.of(run("20261201T120000Z-cccc", "Running", null, 0, null)), status);

        assertThat(status.getLastRun()).isEqualTo("2026-11-30T00:00:00Z");
        assertThat(status.getObjectsMoved()).isEqualTo(9L);
        assertThat(status.getBytesPerTier()).containsEntry("cold", 900L);
        assertThat(TierRunFold.lastRunCondition(List.of())).isEmpty();
    }

    @Test
    void aFailedRunIsAFalseConditionSayingWhy() {
        var failed = TierRunFold.lastRunCondition(List.of(run("20261201T100000Z-aaaa", "Failed", "2026-12-01T10:01:00Z", 1, "SeaweedFS cannot be reached")))
            .orElseThrow();
        assertThat(failed.type()).isEqualTo("LastRunSucceeded");
        assertThat(failed.holds()).isFalse();
        assertThat(failed.reason()).isEqualTo("Failed");
        assertThat(failed.message()).contains("20261201T100000Z-aaaa", "2 objects not moved or expired", "SeaweedFS cannot be reached");

        var ok = TierRunFold.lastRunCondition(List.of(run("20261201T100000Z-aaaa", "Succeeded", "2026-12-01T10:01:00Z", 4, null))).orElseThrow();
        assertThat(ok.holds()).isTrue();
        assertThat(ok.message()).contains("moved 4 objects (400 bytes) cold", "expired 1 (50 bytes)");
    }
}
