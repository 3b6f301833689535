package dev.kelp.operator.backup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.crds.v1alpha1.BackupPhase;
import dev.kelp.crds.v1alpha1.BackupScheduleStatus;
import dev.kelp.operator.report.BackupRunReport;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BackupHistoryTest {

    private static BackupRunReport run(int day, String phase) {
        Instant start = Instant.parse("2026-11-01T03:00:00Z").plusSeconds(86_400L * day);
        return new BackupRunReport("nightly", "run-" + day, phase, start, "Running".equals(phase) ? null : start.plusSeconds(60),
            day, day * 100L, null, "Failed".equals(phase) ? "target unreachable" : null);
    }

    @Test
    void theNewestRunGivesThePhaseAndTheNewestSuccessTheLastBackupTime() {
        var status = new BackupScheduleStatus();

        BackupHistory.fold(new BackupScheduleStatus(), List.of(run(1, "Succeeded"), run(3, "Failed"), run(2, "Succeeded")), status);

        assertThat(status.getHistory()).extracting(r -> r.getId() + "=" + r.getPhase())
            .containsExactly("run-3=FAILED", "run-2=SUCCEEDED", "run-1=SUCCEEDED");
        assertThat(status.getPhase()).isEqualTo(BackupPhase.FAILED);
        assertThat(status.getLastBackup().getMessage()).isEqualTo("target unreachable");
        assertThat(status.getLastBackupTime()).isEqualTo("2026-11-03T03:01:00Z");
    }

    @Test
    void aRunReportedAgainReplacesItselfAndAFinishedRunNeverGoesBackToRunning() {
        var first = new BackupScheduleStatus();
        BackupHistory.fold(new BackupScheduleStatus(), List.of(run(1, "Running")), first);
        var second = new BackupScheduleStatus();
        BackupHistory.fold(first, List.of(run(1, "Succeeded")), second);
        var third = new BackupScheduleStatus();
        BackupHistory.fold(second, List.of(run(1, "Running")), third);

        assertThat(first.getPhase()).isEqualTo(BackupPhase.RUNNING);
        assertThat(first.getLastBackupTime()).isNull();
        assertThat(second.getHistory()).hasSize(1);
        assertThat(second.getPhase()).isEqualTo(BackupPhase.SUCCEEDED);
        assertThat(third.getPhase()).as("a late report from an agent that saw it running").isEqualTo(BackupPhase.SUCCEEDED);
    }

    @Test
    void keepsTheLastTenAndRunsNoAgentReportsAnyMore() {
        var earlier = new BackupScheduleStatus();
        BackupHistory.fold(new BackupScheduleStatus(), IntStream.range(0, 8).mapToObj(d -> run(d, "Succeeded")).toList(), earlier);
        var now = new BackupScheduleStatus();

        // The agents that ran days 0-7 are gone; one agent reports days 8-11.
        BackupHistory.fold(earlier, IntStream.range(8, 12).mapToObj(d -> run(d, "Succeeded")).toList(), now);

        assertThat(now.getHistory()).hasSize(BackupHistory.KEPT);
        assertThat(now.getHistory().getFirst().getId()).isEqualTo("run-11");
        assertThat(now.getHistory().getLast().getId()).isEqualTo("run-2");
    }

    @Test
    void noRunReportedKeepsWhatTheStatusSaid() {
        var earlier = new BackupScheduleStatus();
        BackupHistory.fold(new BackupScheduleStatus(), List.of(run(1, "Succeeded")), earlier);
        var now = new BackupScheduleStatus();

        BackupHistory.fold(earlier, List.of(), now);

        assertThat(now.getPhase()).isEqualTo(BackupPhase.SUCCEEDED);
        assertThat(now.getHistory()).hasSize(1);
    }
}
