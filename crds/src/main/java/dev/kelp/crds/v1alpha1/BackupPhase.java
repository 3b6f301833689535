package dev.kelp.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Where one backup run is in its life. */
public enum BackupPhase {
    /** Due, waiting for the previous run or for the policy to be Ready. */
    @JsonProperty("Pending")
    PENDING,
    /** Copying objects to the target, or verifying them. */
    @JsonProperty("Running")
    RUNNING,
    /** Every object copied, and verified if verify is on. */
    @JsonProperty("Succeeded")
    SUCCEEDED,
    /** Stopped short; the run's message says why. */
    @JsonProperty("Failed")
    FAILED
}
