package dev.kelp.operator.report;

import dev.kelp.crds.v1alpha1.AgentMode;

/**
 * What the agents of one policy last reported, folded together: the figures the policy's
 * status shows in {@code kubectl get sp}.
 *
 * @param total             agents injected into pods that exist now
 * @param ready             agents that reported within their heartbeat and serve requests
 * @param full              ready agents in FULL mode
 * @param fallback          ready agents in FALLBACK mode
 * @param localOnly         ready agents in LOCAL_ONLY mode
 * @param pendingObjects    objects waiting to sync, summed over the agents
 * @param pendingBytes      bytes waiting to sync, summed over the agents
 * @param oldestPendingAgeSeconds age of the oldest object waiting on any agent; 0 when none
 * @param worstMode         the worst mode any ready agent reports; null until one reports
 * @param uninjected        pods of the policy that asked for the agent and run without it
 *                          (admitted while the webhook was unreachable, or by the policy's Admit)
 */
public record FleetStatus(
    int total,
    int ready,
    int full,
    int fallback,
    int localOnly,
    long pendingObjects,
    long pendingBytes,
    long oldestPendingAgeSeconds,
    AgentMode worstMode,
    int uninjected) {

    public static final FleetStatus NONE = new FleetStatus(0, 0, 0, 0, 0, 0, 0, 0, null);

    /** The fold of the agents' reports alone, before the pods without an agent are counted in. */
    public FleetStatus(int total, int ready, int full, int fallback, int localOnly, long pendingObjects, long pendingBytes,
                       long oldestPendingAgeSeconds, AgentMode worstMode) {
        this(total, ready, full, fallback, localOnly, pendingObjects, pendingBytes, oldestPendingAgeSeconds, worstMode, 0);
    }

    public FleetStatus withUninjected(int count) {
        return new FleetStatus(total, ready, full, fallback, localOnly, pendingObjects, pendingBytes,
            oldestPendingAgeSeconds, worstMode, count);
    }
}
