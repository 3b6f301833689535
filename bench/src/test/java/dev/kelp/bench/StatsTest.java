package dev.kelp.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class StatsTest {

    @Test
    void percentilesAreNearestRankInMilliseconds() {
        long[] nanos = new long[100];
        for (int i = 0; i < 100; i++) {
            nanos[99 - i] = (i + 1) * 1_000_000L;
        }
        var stats = new Stats(nanos, 2_000_000_000L, 1024 * 1024);
        assertThat(stats.percentileMillis(50)).isEqualTo(50.0);
        assertThat(stats.percentileMillis(99)).isEqualTo(99.0);
        assertThat(stats.percentileMillis(100)).isEqualTo(100.0);
        assertThat(stats.opsPerSecond()).isEqualTo(50.0);
        assertThat(stats.mibPerSecond()).isEqualTo(50.0);
    }

    @Test
    void bodiesOfDifferentSeedsDifferAndHaveTheirSize() throws IOException {
        byte[] a = new UniqueBody(3 * 1024 * 1024 + 5, 1).newStream().readAllBytes();
        byte[] b = new UniqueBody(3 * 1024 * 1024 + 5, 2).newStream().readAllBytes();
        assertThat(a).hasSize(3 * 1024 * 1024 + 5);
        assertThat(a).isNotEqualTo(b);
        assertThat(java.util.Arrays.copyOfRange(a, 8, a.length)).isEqualTo(java.util.Arrays.copyOfRange(b, 8, b.length));
    }
}
