package dev.kelp.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What the injection webhook does with a selected pod it cannot give a working agent. */
public enum MissingPolicyAction {
    /** Refuse the pod, with the reason: nothing runs without safe storage. */
    @JsonProperty("Reject")
    REJECT,
    /** Let the pod start without the agent, and record a Warning event. */
    @JsonProperty("Admit")
    ADMIT
}
