package dev.kelp.bench.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ContentDefinedChunkerTest {

    private final ContentDefinedChunker chunker = new ContentDefinedChunker(64 << 10);

    private static byte[] random(int size, long seed) {
        byte[] data = new byte[size];
        new SplittableRandom(seed).nextBytes(data);
        return data;
    }

    @Test
    void chunksCoverTheDataWithinTheBoundsAndAverageNearTheTarget() {
        byte[] data = random(32 << 20, 1);
        List<Integer> lengths = chunker.chunkLengths(data);
        assertThat(lengths.stream().mapToLong(Integer::longValue).sum()).isEqualTo(data.length);
        assertThat(lengths.subList(0, lengths.size() - 1)).allSatisfy(l -> assertThat(l).isBetween(16 << 10, 256 << 10));
        double mean = (double) data.length / lengths.size();
        assertThat(mean).isBetween(48.0 * 1024, 96.0 * 1024);
    }

    @Test
    void aBlobUnderTheMinimumIsOneChunkAndAnEmptyOneNone() {
        assertThat(chunker.chunkLengths(random(10_000, 2))).containsExactly(10_000);
        assertThat(chunker.chunkLengths(new byte[0])).isEmpty();
    }

    @Test
    void anInsertionNearTheStartMovesOnlyTheCutsNearIt() {
        byte[] data = random(8 << 20, 3);
        byte[] edited = new byte[data.length + 100];
        System.arraycopy(data, 0, edited, 0, 1000);
        System.arraycopy(data, 1000, edited, 1100, data.length - 1000);
        List<Long> before = cuts(chunker.chunkLengths(data), 0);
        List<Long> after = cuts(chunker.chunkLengths(edited), -100);
        // Every cut past the first few chunks is found again, 100 bytes later.
        List<Long> tailBefore = before.subList(3, before.size());
        assertThat(after).containsAll(tailBefore);
    }

    @Test
    void refusesAnAverageThatIsNotAPowerOfTwo() {
        assertThatThrownBy(() -> new ContentDefinedChunker(60_000)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theAnalysisCountsARepeatedChunkOnce() {
        byte[] a = random(1 << 20, 4);
        byte[] b = new byte[a.length + 5];
        System.arraycopy(a, 0, b, 0, a.length);
        var analysis = ChunkAnalysis.of(List.of(a, b), chunker);
        assertThat(analysis.blobBytes()).isEqualTo(2L * a.length + 5);
        // b shares every chunk of a but its last, which grows by 5 bytes.
        List<Integer> chunksOfA = chunker.chunkLengths(a);
        assertThat(analysis.chunkBytes()).isEqualTo(a.length + chunksOfA.getLast() + 5);
        assertThat(analysis.additionalSavings()).isEqualTo(a.length - chunksOfA.getLast());
    }

    @Test
    void uniqueBodiesKeepTheirSizeAndNeverMatch() {
        byte[] same = random(1000, 5);
        byte[] first = DedupBench.unique(same, 0);
        byte[] second = DedupBench.unique(same, 1);
        assertThat(first).hasSize(1000).isNotEqualTo(same).isNotEqualTo(second);
        assertThat(DedupBench.unique(new byte[0], 7)).hasSize(16);
    }

    private static List<Long> cuts(List<Integer> lengths, long shift) {
        List<Long> cuts = new ArrayList<>();
        long at = 0;
        for (int l : lengths) {
            at += l;
            cuts.add(at + shift);
        }
        return cuts;
    }
}
