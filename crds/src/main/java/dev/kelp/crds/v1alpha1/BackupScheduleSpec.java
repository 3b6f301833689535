package dev.kelp.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** When a policy's objects are backed up, to where, and which backups are kept. */
public class BackupScheduleSpec {

    @Required
    @JsonPropertyDescription("The StoragePolicy, in this namespace, whose objects are backed up.")
    private PolicyReference policyRef;

    @Required
    @Size(max = 128)
    @ValidationRule(value = "self.matches('" + Constraints.CRON + "')",
        message = "schedule must be a 5-field cron expression such as '0 3 * * *' (minute hour day-of-month month day-of-week)",
        messageExpression = "'schedule must be a 5-field cron expression such as \\'0 3 * * *\\' (minute hour day-of-month month day-of-week), not \\'' + self + '\\''")
    @JsonPropertyDescription("When to back up, as a 5-field cron expression in UTC: minute hour day-of-month month day-of-week, e.g. '0 3 * * *' for 03:00 every day. Lists, ranges, steps and names work: '*/30 8-18 * * MON-FRI'.")
    private String schedule;

    @Required
    @JsonPropertyDescription("Where backups go: a bucket on the policy's SeaweedFS, or better, on another S3 endpoint, so that one outage cannot take both.")
    private S3Target target;

    @JsonPropertyDescription("Which backups are kept; a backup stays while any rule that is set keeps it. Absent: every backup is kept.")
    private BackupRetention retention;

    @Default("true")
    @JsonPropertyDescription("Read every object back from the target after a backup and compare its SHA-256 with the source; the backup succeeds only if all match.")
    private Boolean verify;

    @Default("false")
    @JsonPropertyDescription("Start no new backups while true; a backup already running finishes.")
    private Boolean suspend;

    public PolicyReference getPolicyRef() {
        return policyRef;
    }

    public void setPolicyRef(PolicyReference policyRef) {
        this.policyRef = policyRef;
    }

    public String getSchedule() {
        return schedule;
    }

    public void setSchedule(String schedule) {
        this.schedule = schedule;
    }

    public S3Target getTarget() {
        return target;
    }

    public void setTarget(S3Target target) {
        this.target = target;
    }

    public BackupRetention getRetention() {
        return retention;
    }

    public void setRetention(BackupRetention retention) {
        this.retention = retention;
    }

    public Boolean getVerify() {
        return verify;
    }

    public void setVerify(Boolean verify) {
        this.verify = verify;
    }

    public Boolean getSuspend() {
        return suspend;
    }

    public void setSuspend(Boolean suspend) {
        this.suspend = suspend;
    }
}
