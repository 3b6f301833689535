package dev.kelp.operator.backup;

import dev.kelp.crds.v1alpha1.BackupPhase;
import dev.kelp.crds.v1alpha1.BackupRun;
import dev.kelp.crds.v1alpha1.BackupScheduleStatus;
import dev.kelp.operator.report.BackupRunReport;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;

/**
 * Folds the runs agents report into a BackupSchedule's status: each run once in the history
 * (by id; a later report of the same run, Running then Succeeded, replaces it), newest first,
 * the last {@value #KEPT}; the newest run is {@code lastBackup} and gives {@code phase}; the
 * newest successful one gives {@code lastBackupTime}. Pure: the reconciler writes the result.
 */
final class BackupHistory {

    static final int KEPT = 10;

    private BackupHistory() {
    }

    static void fold(BackupScheduleStatus previous, List<BackupRunReport> reported, BackupScheduleStatus into) {
        var byId = new LinkedHashMap<String, BackupRun>();
        for (BackupRun run : previous.getHistory() == null ? List.<BackupRun>of() : previous.getHistory()) {
            if (run.getId() != null) {
                byId.put(run.getId(), run);
            }
        }
        for (BackupRunReport report : reported) {
            BackupRun held = byId.get(report.id());
            // A finished run never goes back to Running: reports of agents that saw it earlier may still arrive.
            if (held == null || held.getCompletionTime() == null || report.finishedAt() != null) {
                byId.put(report.id(), run(report));
            }
        }
        var history = new ArrayList<>(byId.values());
        history.sort(Comparator.comparing(BackupRun::getStartTime, Comparator.nullsFirst(Comparator.naturalOrder())).reversed());
        var kept = List.copyOf(history.subList(0, Math.min(KEPT, history.size())));
        into.setHistory(new ArrayList<>(kept));
        if (kept.isEmpty()) {
            into.setLastBackup(previous.getLastBackup());
            into.setPhase(previous.getPhase());
            into.setLastBackupTime(previous.getLastBackupTime());
            return;
        }
        into.setLastBackup(kept.getFirst());
        into.setPhase(kept.getFirst().getPhase());
        into.setLastBackupTime(kept.stream().filter(r -> r.getPhase() == BackupPhase.SUCCEEDED).map(BackupRun::getCompletionTime)
            .filter(Objects::nonNull).findFirst().orElse(previous.getLastBackupTime()));
    }

    private static BackupRun run(BackupRunReport report) {
        var run = new BackupRun();
        run.setId(report.id());
        run.setPhase(switch (report.phase()) {
            case "Running" -> BackupPhase.RUNNING;
            case "Succeeded" -> BackupPhase.SUCCEEDED;
            default -> BackupPhase.FAILED;
        });
        run.setStartTime(report.startedAt().toString());
        run.setCompletionTime(report.finishedAt() == null ? null : report.finishedAt().toString());
        run.setObjects(report.objects());
        run.setBytes(report.bytes());
        run.setVerified(report.verified());
        run.setMessage(report.message());
        return run;
    }
}
