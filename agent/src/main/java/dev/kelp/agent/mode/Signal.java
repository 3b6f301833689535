package dev.kelp.agent.mode;

/** The health inputs the mode is computed from. */
public enum Signal {
    /** SeaweedFS answers (breaker closed or half-open and succeeding). */
    SEAWEEDFS,
    /** SeaweedFS accepts our credentials. */
    SEAWEEDFS_CREDENTIALS,
    /** The metadata store (PostgreSQL) answers. */
    METADATA
}
