package dev.kelp.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** What a policy's agents hold on fallback volumes, waiting to sync to SeaweedFS. */
public class PendingSync {

    @JsonPropertyDescription("Objects waiting to sync, summed over all agents.")
    private Long objects;

    @JsonPropertyDescription("Bytes waiting to sync, summed over all agents.")
    private Long bytes;

    @JsonPropertyDescription("Age in seconds of the oldest object waiting to sync on any agent; growing while SeaweedFS is healthy means sync is stuck.")
    private Long oldestAgeSeconds;

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

    public Long getOldestAgeSeconds() {
        return oldestAgeSeconds;
    }

    public void setOldestAgeSeconds(Long oldestAgeSeconds) {
        this.oldestAgeSeconds = oldestAgeSeconds;
    }
}
