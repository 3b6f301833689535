package dev.kelp.agent.backup;

import dev.kelp.agent.backup.BackupScheduleConfig.Retention;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.temporal.IsoFields;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Which backups a schedule keeps: keep-last, keep-for, and grandfather-father-son (daily,
 * weekly, monthly). A backup stays while any rule that is set keeps it; with no rule set,
 * every backup stays. Only successful backups count and are kept by the rules: a failed run
 * is never what a restore wants. Pure, so the rules are tested over a simulated calendar.
 *
 * <p>The calendar rules are those of restic and borg: "daily N" keeps the newest backup of
 * each of the N most recent UTC days <em>that have a successful backup</em>, so a week the
 * agent was down does not eat the rule's days; weeks are ISO weeks (Monday to Sunday), months
 * calendar months, both in UTC.
 */
public final class GfsRetention {

    private GfsRetention() {
    }

    /** A finished backup as far as retention cares. */
    public record Finished(String id, Instant finishedAt, boolean succeeded) {
    }

    /** The ids of {@code backups} to keep at {@code now}. */
    public static Set<String> keep(List<Finished> backups, Retention retention, Instant now) {
        List<Finished> good = backups.stream().filter(Finished::succeeded)
            .sorted(Comparator.comparing(Finished::finishedAt).reversed()).toList();
        var keep = new HashSet<String>();
        if (retention == null || noRuleSet(retention)) {
            good.forEach(b -> keep.add(b.id()));
            return keep;
        }
        if (retention.keepLast() != null) {
            good.stream().limit(retention.keepLast()).forEach(b -> keep.add(b.id()));
        }
        if (retention.keepFor() != null) {
            Instant cutoff = now.minus(retention.keepFor());
            good.stream().filter(b -> !b.finishedAt().isBefore(cutoff)).forEach(b -> keep.add(b.id()));
        }
        newestPerPeriod(good, retention.daily(), b -> day(b.finishedAt()), keep);
        newestPerPeriod(good, retention.weekly(), b -> week(b.finishedAt()), keep);
        newestPerPeriod(good, retention.monthly(), b -> YearMonth.from(day(b.finishedAt())), keep);
        return keep;
    }

    private static boolean noRuleSet(Retention r) {
        return r.keepLast() == null && r.keepFor() == null && r.daily() == null && r.weekly() == null && r.monthly() == null;
    }

    /** {@code newestFirst}: the first backup met in each period is that period's newest. */
    private static void newestPerPeriod(List<Finished> newestFirst, Integer periods, Function<Finished, Object> periodOf, Set<String> keep) {
        if (periods == null || periods <= 0) {
            return;
        }
        var seen = new HashSet<Object>();
        for (Finished b : newestFirst) {
            if (seen.size() == periods && !seen.contains(periodOf.apply(b))) {
                return;
            }
            if (seen.add(periodOf.apply(b))) {
                keep.add(b.id());
            }
        }
    }

    private static LocalDate day(Instant t) {
        return t.atZone(ZoneOffset.UTC).toLocalDate();
    }

    private static String week(Instant t) {
        LocalDate d = day(t);
        return d.get(IsoFields.WEEK_BASED_YEAR) + "-W" + d.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR);
    }

    /** For messages: the retention rules as a person reads them. */
    static String describe(Retention r) {
        if (r == null || noRuleSet(r)) {
            return "keep all";
        }
        var parts = new java.util.ArrayList<String>();
        if (r.keepLast() != null) {
            parts.add("last " + r.keepLast());
        }
        if (r.keepFor() != null) {
            parts.add("for " + r.keepFor());
        }
        if (r.daily() != null) {
            parts.add(r.daily() + " daily");
        }
        if (r.weekly() != null) {
            parts.add(r.weekly() + " weekly");
        }
        if (r.monthly() != null) {
            parts.add(r.monthly() + " monthly");
        }
        return String.join(", ", parts);
    }
}
