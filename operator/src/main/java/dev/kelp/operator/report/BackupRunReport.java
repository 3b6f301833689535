package dev.kelp.operator.report;

import java.time.Instant;

/**
 * A backup run as an agent reported it (the agent's {@code AgentReport.BackupRun}), validated.
 *
 * @param schedule   the BackupSchedule's name, in the report's namespace
 * @param id         the run's id on the backup target
 * @param phase      Running, Succeeded or Failed
 * @param finishedAt null while it runs
 * @param verified   null when verification was not asked for
 * @param message    why it failed, or null
 */
public record BackupRunReport(String schedule, String id, String phase, Instant startedAt, Instant finishedAt,
                              long objects, long bytes, Boolean verified, String message) {
}
