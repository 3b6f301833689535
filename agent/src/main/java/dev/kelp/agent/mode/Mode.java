package dev.kelp.agent.mode;

/** Where the agent puts writes right now; see docs/architecture.md for the full table. */
public enum Mode {
    /** SeaweedFS and the metadata store reachable: writes go to SeaweedFS. */
    FULL,
    /** SeaweedFS unhealthy: writes go to the fallback volume with a durable sync-queue entry. */
    FALLBACK,
    /** No usable control plane (metadata store unreachable, or credentials invalid): local volume and a local metadata journal. */
    LOCAL_ONLY
}
