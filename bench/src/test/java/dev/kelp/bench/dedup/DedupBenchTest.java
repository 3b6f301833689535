package dev.kelp.bench.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DedupBenchTest {

    @Test
    void uniqueBodiesKeepTheirSizeAndNeverMatch() {
        byte[] same = new byte[1000];
        new SplittableRandom(5).nextBytes(same);
        byte[] first = DedupBench.unique(same, 0);
        byte[] second = DedupBench.unique(same, 1);
        assertThat(first).hasSize(1000).isNotEqualTo(same).isNotEqualTo(second);
        assertThat(DedupBench.unique(new byte[0], 7)).hasSize(16);
    }

    @Test
    void blockConfigsAreMinimumSlashAverageAsTheAgentTakesThem() {
        var configs = DedupBench.BlockConfig.parse("8MiB/1MiB, 1MiB/64KiB");
        assertThat(configs).containsExactly(new DedupBench.BlockConfig("8MiB", "1MiB"), new DedupBench.BlockConfig("1MiB", "64KiB"));
        assertThat(configs.get(1).minBytes()).isEqualTo(1 << 20);
        assertThat(configs.get(1).averageBytes()).isEqualTo(64 << 10);
        assertThatThrownBy(() -> DedupBench.BlockConfig.parse("8MiB")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DedupBench.BlockConfig.parse("8MB/1MiB")).isInstanceOf(IllegalArgumentException.class);
    }
}
