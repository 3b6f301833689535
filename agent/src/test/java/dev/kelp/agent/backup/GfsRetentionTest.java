package dev.kelp.agent.backup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.agent.backup.BackupScheduleConfig.Retention;
import dev.kelp.agent.backup.GfsRetention.Finished;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class GfsRetentionTest {

    /** A backup at 03:00 and 15:00 UTC every day from 2026-01-01 to 2026-04-30 (Thursday 1 January to Thursday 30 April). */
    private static List<Finished> twiceADay() {
        var backups = new ArrayList<Finished>();
        for (LocalDate d = LocalDate.of(2026, 1, 1); !d.isAfter(LocalDate.of(2026, 4, 30)); d = d.plusDays(1)) {
            backups.add(at(d, 3));
            backups.add(at(d, 15));
        }
        return backups;
    }

    private static Finished at(LocalDate day, int hour) {
        Instant t = day.atTime(hour, 0).toInstant(ZoneOffset.UTC);
        return new Finished(t.toString(), t, true);
    }

    private static final Instant NOW = Instant.parse("2026-04-30T16:00:00Z");

    @Test
    void grandfatherFatherSonOverASimulatedCalendarKeepsExactlyTheNewestOfEachPeriod() {
        var keep = GfsRetention.keep(twiceADay(), new Retention(null, null, 7, 4, 3), NOW);

        assertThat(new TreeSet<>(keep)).containsExactly(
            // monthly 3: the newest of February, March, April
            "2026-02-28T15:00:00Z", "2026-03-31T15:00:00Z",
            // weekly 4: ISO weeks ending Sundays 12, 19 and 26 April, and the week of Thursday 30 April
            "2026-04-12T15:00:00Z", "2026-04-19T15:00:00Z",
            // daily 7: 24 to 30 April (26 April is also a week's newest)
            "2026-04-24T15:00:00Z", "2026-04-25T15:00:00Z", "2026-04-26T15:00:00Z", "2026-04-27T15:00:00Z",
            "2026-04-28T15:00:00Z", "2026-04-29T15:00:00Z", "2026-04-30T15:00:00Z");
    }

    @Test
    void daysWithoutABackupDoNotUseUpTheDailyRule() {
        // Backups on 1, 2 and 10 April only: "daily 3" keeps all three, however far apart.
        var backups = List.of(at(LocalDate.of(2026, 4, 1), 3), at(LocalDate.of(2026, 4, 2), 3), at(LocalDate.of(2026, 4, 2), 9),
            at(LocalDate.of(2026, 4, 10), 3));

        assertThat(new TreeSet<>(GfsRetention.keep(backups, new Retention(null, null, 3, null, null), NOW)))
            .containsExactly("2026-04-01T03:00:00Z", "2026-04-02T09:00:00Z", "2026-04-10T03:00:00Z");
    }

    @Test
    void keepLastAndKeepForAddToTheCalendarRules() {
        var keep = GfsRetention.keep(twiceADay(), new Retention(3, Duration.ofHours(36), null, null, 1), NOW);

        // keep-for 36 h before 16:00 on 30 April reaches back to 04:00 on 29 April; keep-last 3
        // and April's newest (monthly 1) fall inside it.
        assertThat(new TreeSet<>(keep)).containsExactly("2026-04-29T15:00:00Z", "2026-04-30T03:00:00Z", "2026-04-30T15:00:00Z");
        assertThat(GfsRetention.keep(twiceADay(), new Retention(5, Duration.ofHours(36), null, null, null), NOW))
            .as("keep-last 5 reaches further than keep-for").hasSize(5);
    }

    @Test
    void failedRunsAreNeitherCountedNorKept() {
        var ok = at(LocalDate.of(2026, 4, 28), 3);
        var failedLater = new Finished("failed", Instant.parse("2026-04-29T03:00:00Z"), false);

        assertThat(GfsRetention.keep(List.of(ok, failedLater), new Retention(1, null, null, null, null), NOW)).containsExactly(ok.id());
    }

    @Test
    void noRuleKeepsEveryGoodBackup() {
        Set<String> keep = GfsRetention.keep(twiceADay(), Retention.KEEP_ALL, NOW);

        assertThat(keep).hasSize(240);
        assertThat(GfsRetention.keep(twiceADay(), null, NOW)).hasSize(240);
    }
}
