package dev.kelp.agent.blob.chunks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BlockDedupConfigTest {

    @Test
    void anAverageChunkThatIsNotAPowerOfTwoUpTo64MiBIsRefusedWithTheSettingsName() {
        for (long bad : new long[] {1_000_000, 3 << 20, 128L << 20}) {
            assertThatThrownBy(() -> new BlockDedupConfig(true, 8L << 20, bad)).as("average-chunk %d", bad)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll("kelp.dedup.blocks.average-chunk", "power of two", Long.toString(bad));
        }
    }

    @Test
    void onlyBlobsOfMinObjectSizeAndMoreAreChunkedAndOnlyWhenEnabled() {
        var on = new BlockDedupConfig(true, 8L << 20, 1L << 20);
        assertThat(on.chunks((8L << 20) - 1)).isFalse();
        assertThat(on.chunks(8L << 20)).isTrue();
        assertThat(BlockDedupConfig.disabled().chunks(1L << 30)).isFalse();
        assertThat(on.chunker().averageSize()).isEqualTo(1 << 20);
        assertThat(on.chunker().maxSize()).isEqualTo(4 << 20);
    }
}
