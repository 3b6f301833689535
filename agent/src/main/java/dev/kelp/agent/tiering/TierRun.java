package dev.kelp.agent.tiering;

import io.micronaut.serde.annotation.Serdeable;

/**
 * One run of one tier rule, as the agent reports it (to the operator, and from
 * {@code POST /v1/tiering/rules/{rule}/run})
 *
 * @param rule           the rule's name (kelp.tiering.rules[].name)
 * @param id             the run's id: its start time, then random digits, so ids sort by start
 * @param startedAt      RFC 3339
 * @param finishedAt     RFC 3339; absent while it runs
 * @param phase          Running, Succeeded, or Failed (with {@code message}: what went wrong first)
 * @param objectsMoved   objects whose content this run moved to the cold target
 * @param bytesMoved     bytes it moved (a blob shared by several objects counts once)
 * @param objectsExpired objects it deleted past expire-after
 * @param bytesExpired   their bytes
 * @param hotObjects     objects the rule matches whose content is hot, after the run
 * @param hotBytes       their bytes
 * @param coldObjects    objects the rule matches whose content is cold, after the run
 * @param coldBytes      their bytes
 * @param errors         objects the run could not move or expire (it went on with the others)
 * @param message        why it failed; absent when it succeeded
 */
@Serdeable
public record TierRun(String rule, String id, String phase, String startedAt, String finishedAt, long objectsMoved, long bytesMoved,
                      long objectsExpired, long bytesExpired, long hotObjects, long hotBytes, long coldObjects, long coldBytes,
                      long errors, String message) {

    public static final String RUNNING = "Running";
    public static final String SUCCEEDED = "Succeeded";
    public static final String FAILED = "Failed";
}
