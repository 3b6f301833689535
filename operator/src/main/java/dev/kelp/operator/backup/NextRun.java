package dev.kelp.operator.backup;

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
 * When a 5-field cron schedule (UTC) fires next. cron-utils does the calendar arithmetic
 * (day-of-month and day-of-week together, month lengths, steps over ranges), which is where
 * hand-written cron code goes wrong; the CRD schema has already rejected what is not cron.
 */
final class NextRun {

    // Unix cron: minute hour day-of-month month day-of-week, 0 and 7 both Sunday.
    private static final CronParser PARSER = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

    private NextRun() {
    }

    /** The first firing strictly after {@code after}; empty if the expression never fires (e.g. 30 February). */
    static Optional<Instant> after(String schedule, Instant after) {
        // The CRD accepts month and weekday names in any case; cron-utils knows them in upper case.
        var cron = PARSER.parse(schedule.trim().toUpperCase(Locale.ROOT));
        return ExecutionTime.forCron(cron).nextExecution(ZonedDateTime.ofInstant(after, ZoneOffset.UTC)).map(ZonedDateTime::toInstant);
    }
}
