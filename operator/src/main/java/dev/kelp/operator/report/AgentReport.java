package dev.kelp.operator.report;

import dev.kelp.crds.v1alpha1.AgentMode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * One agent's report, validated (see {@link ReportParser}); the agent's side of it is
 * {@code dev.kelp.agent.report.AgentReport}, the wire format docs/operator.md describes.
 *
 * @param heartbeat how often the agent reports when nothing changes
 * @param backups   the latest backup runs the agent ran, for the BackupSchedules' status
 * @param tierRuns  the latest tier rule runs the agent ran, for the TierRules' status
 */
public record AgentReport(
    String policy,
    String namespace,
    String pod,
    String podUid,
    String agentId,
    AgentMode mode,
    Instant since,
    List<String> reasons,
    boolean ready,
    long pendingObjects,
    long pendingBytes,
    long oldestPendingAgeSeconds,
    long seq,
    Instant sentAt,
    Duration heartbeat,
    List<BackupRunReport> backups,
    List<TierRunReport> tierRuns) {

    public AgentReport {
        reasons = List.copyOf(reasons);
        backups = backups == null ? List.of() : List.copyOf(backups);
        tierRuns = tierRuns == null ? List.of() : List.copyOf(tierRuns);
    }

    /** A report without tier runs, as agents before tiering send it. */
    public AgentReport(String policy, String namespace, String pod, String podUid, String agentId, AgentMode mode, Instant since,
                       List<String> reasons, boolean ready, long pendingObjects, long pendingBytes, long oldestPendingAgeSeconds,
                       long seq, Instant sentAt, Duration heartbeat, List<BackupRunReport> backups) {
        this(policy, namespace, pod, podUid, agentId, mode, since, reasons, ready, pendingObjects, pendingBytes,
            oldestPendingAgeSeconds, seq, sentAt, heartbeat, backups, List.of());
    }

    /** A report without backup runs, as agents before backups send it. */
    public AgentReport(String policy, String namespace, String pod, String podUid, String agentId, AgentMode mode, Instant since,
                       List<String> reasons, boolean ready, long pendingObjects, long pendingBytes, long oldestPendingAgeSeconds,
                       long seq, Instant sentAt, Duration heartbeat) {
        this(policy, namespace, pod, podUid, agentId, mode, since, reasons, ready, pendingObjects, pendingBytes,
            oldestPendingAgeSeconds, seq, sentAt, heartbeat, List.of(), List.of());
    }
}
