package dev.kelp.operator.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class NextRunTest {

    private static final Instant MONDAY_NOON = Instant.parse("2026-11-30T12:00:00Z");

    @Test
    void dailyAtThreeIsTomorrowMorningInUtc() {
        assertThat(NextRun.after("0 3 * * *", MONDAY_NOON)).contains(Instant.parse("2026-12-01T03:00:00Z"));
    }

    @Test
    void stepsRangesAndNamesInAnyCase() {
        assertThat(NextRun.after("*/30 8-18 * * mon-fri", MONDAY_NOON)).contains(Instant.parse("2026-11-30T12:30:00Z"));
        assertThat(NextRun.after("0 0 1 jan *", MONDAY_NOON)).contains(Instant.parse("2027-01-01T00:00:00Z"));
    }

    @Test
    void sevenIsSundayToo() {
        assertThat(NextRun.after("0 4 * * 7", MONDAY_NOON)).contains(Instant.parse("2026-12-06T04:00:00Z"));
        assertThat(NextRun.after("0 4 * * 0", MONDAY_NOON)).contains(Instant.parse("2026-12-06T04:00:00Z"));
    }

    @Test
    void strictlyAfterTheGivenInstant() {
        assertThat(NextRun.after("0 12 * * *", MONDAY_NOON)).contains(Instant.parse("2026-12-01T12:00:00Z"));
    }
}
