package dev.kelp.operator.report;

import java.time.Instant;

/**
 * A tier rule run as an agent reported it (the agent's {@code AgentReport.TierRun}), validated.
 *
 * @param rule       the TierRule's name, in the report's namespace
 * @param id         the run's id (sorts by start time)
 * @param phase      Running, Succeeded or Failed
 * @param finishedAt null while it runs
 * @param hotBytes   bytes of the objects the rule matches that are hot, after the run
 * @param coldBytes  the same, cold
 * @param errors     objects the run could not move or expire
 * @param message    why it failed, or null
 */
public record TierRunReport(String rule, String id, String phase, Instant startedAt, Instant finishedAt, long objectsMoved,
                            long bytesMoved, long objectsExpired, long bytesExpired, long hotBytes, long coldBytes, long errors,
                            String message) {
}
