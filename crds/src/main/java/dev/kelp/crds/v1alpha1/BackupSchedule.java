package dev.kelp.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn.Type;
import io.fabric8.generator.annotation.Required;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** For one policy: a cron schedule of backups to a target, with retention and verification. */
@Group(BackupSchedule.GROUP)
@Version(BackupSchedule.VERSION)
@Kind(BackupSchedule.KIND)
@Plural(BackupSchedule.PLURAL)
@ShortNames({BackupSchedule.SHORT_NAME, "kelpbs"})
@AdditionalPrinterColumn(name = "Schedule", jsonPath = ".spec.schedule", type = Type.STRING,
    getDescription = "When backups run (cron, UTC).")
@AdditionalPrinterColumn(name = "Last Backup", jsonPath = ".status.lastBackupTime", type = Type.DATE,
    getDescription = "When the last successful backup finished.")
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = Type.STRING,
    getDescription = "Phase of the most recent backup run.")
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = Type.DATE)
@AdditionalPrinterColumn(name = "Suspend", jsonPath = ".spec.suspend", type = Type.BOOLEAN, priority = 1,
    getDescription = "Whether new backups are suspended.")
@AdditionalPrinterColumn(name = "Next Run", jsonPath = ".status.nextRun", type = Type.DATE, priority = 1,
    getDescription = "When the next backup is due.")
public class BackupSchedule extends CustomResource<BackupScheduleSpec, BackupScheduleStatus> implements Namespaced {

    public static final String GROUP = StoragePolicy.GROUP;
    public static final String VERSION = StoragePolicy.VERSION;
    public static final String KIND = "BackupSchedule";
    public static final String PLURAL = "backupschedules";
    public static final String SHORT_NAME = "bs";
    public static final String CRD_NAME = PLURAL + "." + GROUP;

    @Override
    @Required
    @JsonPropertyDescription("When the policy's objects are backed up, to where, which backups are kept, and whether they are verified.")
    public BackupScheduleSpec getSpec() {
        return super.getSpec();
    }

    @Override
    @JsonPropertyDescription("The last backup, the next one, recent history and conditions. Written by the operator only.")
    public BackupScheduleStatus getStatus() {
        return super.getStatus();
    }
}
