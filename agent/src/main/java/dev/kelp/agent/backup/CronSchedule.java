package dev.kelp.agent.backup;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Locale;
import java.util.Optional;

/**
 * A 5-field cron schedule in UTC, as the BackupSchedule CRD accepts it. cron-utils does the
 * calendar arithmetic (the operator computes its status' next run with the same library, so
 * both agree on when a run is due).
 */
final class CronSchedule {

    private static final CronParser PARSER = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

    private final ExecutionTime execution;
    private final String expression;

    private CronSchedule(String expression) {
        this.expression = expression;
        // The CRD accepts month and weekday names in any case; cron-utils knows them in upper case.
        this.execution = ExecutionTime.forCron(PARSER.parse(expression.trim().toUpperCase(Locale.ROOT)));
    }

    /** Throws IllegalArgumentException with cron-utils' reason for an expression that is not cron. */
    static CronSchedule parse(String expression) {
        if (expression == null || expression.isBlank()) {
            throw new IllegalArgumentException("a backup schedule needs a cron expression");
        }
        return new CronSchedule(expression);
    }

    /** The first firing strictly after {@code after}; empty if it never fires (e.g. 30 February). */
    Optional<Instant> nextAfter(Instant after) {
        return execution.nextExecution(ZonedDateTime.ofInstant(after, ZoneOffset.UTC)).map(ZonedDateTime::toInstant);
    }

    @Override
    public String toString() {
        return expression;
    }
}
