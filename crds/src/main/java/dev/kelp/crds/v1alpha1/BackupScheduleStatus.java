package dev.kelp.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.kelp.crds.schema.ConditionsByType;
import io.fabric8.crdv2.generator.v1.SchemaCustomizer;
import java.util.ArrayList;
import java.util.List;

/** What the operator last saw of a BackupSchedule and its runs. */
@SchemaCustomizer(ConditionsByType.class)
public class BackupScheduleStatus extends KelpStatus {

    @JsonPropertyDescription("The most recent backup run, finished or not.")
    private BackupRun lastBackup;

    @JsonPropertyDescription("Phase of the most recent backup run: the PHASE column of kubectl get.")
    private BackupPhase phase;

    @JsonPropertyDescription("When the last successful backup finished (RFC 3339): the LAST BACKUP column of kubectl get. Alert on its age.")
    private String lastBackupTime;

    @JsonPropertyDescription("When the next backup is due (RFC 3339). Absent while suspended.")
    private String nextRun;

    @JsonPropertyDescription("Recent backup runs, newest first; the operator keeps the last 10.")
    private List<BackupRun> history = new ArrayList<>();

    public BackupRun getLastBackup() {
        return lastBackup;
    }

    public void setLastBackup(BackupRun lastBackup) {
        this.lastBackup = lastBackup;
    }

    public BackupPhase getPhase() {
        return phase;
    }

    public void setPhase(BackupPhase phase) {
        this.phase = phase;
    }

    public String getLastBackupTime() {
        return lastBackupTime;
    }

    public void setLastBackupTime(String lastBackupTime) {
        this.lastBackupTime = lastBackupTime;
    }

    public String getNextRun() {
        return nextRun;
    }

    public void setNextRun(String nextRun) {
        this.nextRun = nextRun;
    }

    public List<BackupRun> getHistory() {
        return history;
    }

    public void setHistory(List<BackupRun> history) {
        this.history = history;
    }
}
