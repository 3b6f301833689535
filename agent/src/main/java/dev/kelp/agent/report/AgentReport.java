package dev.kelp.agent.report;

import io.micronaut.serde.annotation.Serdeable;
import java.util.List;

/**
 * The body of one report to the operator (docs/operator.md, "How agents report their mode").
 * Times are ISO-8601 strings so the operator need not agree with Micronaut on how instants
 * serialise.
 *
 * @param seq              increases by one with every report this agent process sends
 * @param heartbeatSeconds how often this agent reports when nothing changes: the operator
 *                         forgets it after three of these without a report
 * @param backups          the latest backup run of each schedule this agent ran, newest first
 * @param tiering          the latest run of each tier rule this agent ran, newest first
 */
@Serdeable
public record AgentReport(
    String policy,
    String namespace,
    String pod,
    String podUid,
    String agentId,
    String mode,
    String since,
    List<String> reasons,
    boolean ready,
    Pending pending,
    long seq,
    String sentAt,
    long heartbeatSeconds,
    List<BackupRun> backups,
    List<TierRun> tiering) {

    /**
     * A backup run this agent ran (or found abandoned and marked Failed), as its manifest on
     * the target says; the operator folds these into the BackupSchedule named {@code schedule}.
     */
    @Serdeable
    public record BackupRun(String schedule, String id, String phase, String startedAt, String finishedAt, long objects,
                            long bytes, Boolean verified, String message) {
    }

    /**
     * A tier rule run this agent ran; the operator folds these into the TierRule named {@code rule}
     * (lastRun, objectsMoved, bytesMoved, bytesPerTier, conditions).
     */
    @Serdeable
    public record TierRun(String rule, String id, String phase, String startedAt, String finishedAt, long objectsMoved, long bytesMoved,
                          long objectsExpired, long bytesExpired, long hotBytes, long coldBytes, long errors, String message) {
    }

    /** What waits on the fallback volume to reach SeaweedFS, as {@code GET /v1/mode} says. */
    @Serdeable
    public record Pending(long objects, long bytes, long oldestAgeSeconds) {
    }
}
