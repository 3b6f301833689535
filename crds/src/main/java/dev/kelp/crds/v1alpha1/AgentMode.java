package dev.kelp.crds.v1alpha1;

/** Where an agent puts writes right now, as the agent reports it; worst last. */
public enum AgentMode {
    /** SeaweedFS and the metadata store reachable: writes go to SeaweedFS. */
    FULL,
    /** SeaweedFS unhealthy: writes go to the fallback volume and a durable sync queue. */
    FALLBACK,
    /** No usable control plane: local volume and a local metadata journal only. */
    LOCAL_ONLY
}
