package dev.kelp.agent.versions;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.agent.versions.RetentionPolicy.Noncurrent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetentionPolicyTest {

    static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");

    /** Versions "v1".."vn", newest first, replaced 1h, 2h, ... ago. */
    static List<Noncurrent<String>> hourly(int n) {
        return java.util.stream.IntStream.rangeClosed(1, n)
            .mapToObj(i -> new Noncurrent<>("v" + i, NOW.minus(Duration.ofHours(i)))).toList();
    }

    @Test
    void keepLastKeepsTheNewestAndDropsTheRestOldestLast() {
        assertThat(new RetentionPolicy(2, null).expired(hourly(5), NOW)).containsExactly("v3", "v4", "v5");
    }

    @Test
    void keepLastZeroKeepsNone() {
        var policy = new RetentionPolicy(0, null);
        assertThat(policy.expired(hourly(3), NOW)).containsExactly("v1", "v2", "v3");
        assertThat(policy.keepsNone()).isTrue();
    }

    @Test
    void keepForDropsVersionsReplacedLongerAgoButKeepsOneReplacedExactlyThatLongAgo() {
        assertThat(new RetentionPolicy(null, Duration.ofHours(2)).expired(hourly(4), NOW)).containsExactly("v3", "v4");
    }

    @Test
    void aVersionGoesWhenEitherLimitIsPassed() {
        // keep 3 by count, but only 2h by age: age wins for v3; count wins for v4.. anyway.
        assertThat(new RetentionPolicy(3, Duration.ofMinutes(150)).expired(hourly(5), NOW)).containsExactly("v3", "v4", "v5");
        // keep 1 by count, 10h by age: count wins.
        assertThat(new RetentionPolicy(1, Duration.ofHours(10)).expired(hourly(3), NOW)).containsExactly("v2", "v3");
    }

    @Test
    void noLimitsKeepEverything() {
        assertThat(RetentionPolicy.keepAll().expired(hourly(50), NOW)).isEmpty();
        assertThat(RetentionPolicy.keepAll().keepsNone()).isFalse();
        assertThat(new RetentionPolicy(5, null).expired(hourly(5), NOW)).isEmpty();
        assertThat(new RetentionPolicy(5, null).expired(List.of(), NOW)).isEmpty();
    }

    @Test
    void theConfigRefusesNegativeLimits() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new VersioningConfig(true, -1, null, Duration.ofMinutes(1), 1))
            .hasMessageContaining("keep-last");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new VersioningConfig(true, null, "-1s", Duration.ofMinutes(1), 1))
            .hasMessageContaining("keep-for");
        assertThat(new VersioningConfig(true, 0, null, Duration.ofMinutes(1), 1).keepsVersions()).isFalse();
        assertThat(new VersioningConfig(true, 1, null, Duration.ofMinutes(1), 1).keepsVersions()).isTrue();
        assertThat(VersioningConfig.disabled().keepsVersions()).isFalse();
    }
}
