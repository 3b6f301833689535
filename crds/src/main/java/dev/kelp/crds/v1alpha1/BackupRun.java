package dev.kelp.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One run of a BackupSchedule. */
public class BackupRun {

    @JsonPropertyDescription("The run's id on the backup target (its folder runs/<id>/), as GET /v1/backups/<schedule> on an agent lists it.")
    private String id;

    @JsonPropertyDescription("Where the run is: Pending, Running, Succeeded or Failed.")
    private BackupPhase phase;

    @JsonPropertyDescription("When the run started (RFC 3339).")
    private String startTime;

    @JsonPropertyDescription("When the run finished, successfully or not (RFC 3339). Absent while it runs.")
    private String completionTime;

    @JsonPropertyDescription("Objects in the backup: every current object of the policy at the instant of its metadata snapshot.")
    private Long objects;

    @JsonPropertyDescription("Bytes of those objects (content already on the target from earlier runs is not copied again).")
    private Long bytes;

    @JsonPropertyDescription("True when every object was read back from the target and matched its SHA-256.")
    private Boolean verified;

    @JsonPropertyDescription("Why the run failed, or what it skipped, for a person to read.")
    private String message;

    public String getId() {
        return id;
    }

    public void setId(String id) {
        this.id = id;
    }

    public BackupPhase getPhase() {
        return phase;
    }

    public void setPhase(BackupPhase phase) {
        this.phase = phase;
    }

    public String getStartTime() {
        return startTime;
    }

    public void setStartTime(String startTime) {
        this.startTime = startTime;
    }

    public String getCompletionTime() {
        return completionTime;
    }

    public void setCompletionTime(String completionTime) {
        this.completionTime = completionTime;
    }

    public Long getObjects() {
        return objects;
    }

    public void setObjects(Long objects) {
        this.objects = objects;
    }

    public Long getBytes() {
        return bytes;
    }

    public void setBytes(Long bytes) {
        this.bytes = bytes;
    }

    public Boolean getVerified() {
        return verified;
    }

    public void setVerified(Boolean verified) {
        this.verified = verified;
    }

    public String getMessage() {
        return message;
    }

    public void setMessage(String message) {
        this.message = message;
    }
}
