package dev.kelp.agent.blob.chunks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kelp.agent.object.ContentHash;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ContentDefinedChunkerTest {

    static byte[] random(int size, long seed) {
        byte[] data = new byte[size];
        new SplittableRandom(seed).nextBytes(data);
        return data;
    }

    /** The chunk lengths of {@code data}, cut as a reader does: all that is left is at hand. */
    static List<Integer> lengths(ContentDefinedChunker chunker, byte[] data) {
        List<Integer> lengths = new ArrayList<>();
        for (int at = 0; at < data.length; ) {
            int n = chunker.cut(data, at, data.length - at);
            assertThat(n).as("a cut at %d moves on", at).isPositive().isLessThanOrEqualTo(data.length - at);
            lengths.add(n);
            at += n;
        }
        return lengths;
    }

    private static List<ContentHash> hashes(ContentDefinedChunker chunker, byte[] data) {
        List<ContentHash> hashes = new ArrayList<>();
        int at = 0;
        for (int n : lengths(chunker, data)) {
            hashes.add(ContentHash.ofBytes(Arrays.copyOfRange(data, at, at + n)));
            at += n;
        }
        return hashes;
    }

    @ParameterizedTest
    @ValueSource(ints = {64, 4096, 64 << 10})
    void everyChunkButTheLastIsBetweenAQuarterAndFourTimesTheAverage(int average) {
        var chunker = new ContentDefinedChunker(average);
        assertThat(chunker.averageSize()).isEqualTo(average);
        assertThat(chunker.maxSize()).isEqualTo(average * 4);
        byte[] data = random(Math.max(8 << 20, average * 400), average);
        List<Integer> lengths = lengths(chunker, data);

        assertThat(lengths.stream().mapToLong(Integer::longValue).sum()).isEqualTo(data.length);
        assertThat(lengths.subList(0, lengths.size() - 1)).allSatisfy(l -> assertThat(l).isBetween(average / 4, average * 4));
        assertThat(lengths.getLast()).isBetween(1, average * 4);
        double mean = (double) data.length / lengths.size();
        assertThat(mean).as("mean chunk of %d chunks", lengths.size()).isBetween(average / 2.0, average * 2.0);
    }

    @Test
    void contentWithNoCutPointIsCutAtTheMaximum() {
        var chunker = new ContentDefinedChunker(4096);
        List<Integer> lengths = lengths(chunker, new byte[100_000]);
        assertThat(lengths.subList(0, lengths.size() - 1)).allSatisfy(l -> assertThat(l).isBetween(1024, 16384));
        assertThat(lengths.stream().mapToInt(Integer::intValue).sum()).isEqualTo(100_000);
    }

    @Test
    void contentUpToTheMinimumIsOneChunkAndACutNeverLooksPastWhatIsAvailable() {
        var chunker = new ContentDefinedChunker(4096);
        byte[] data = random(1024, 7);
        assertThat(chunker.cut(data, 0, 1024)).isEqualTo(1024);
        assertThat(chunker.cut(data, 1000, 24)).isEqualTo(24);
        assertThat(chunker.cut(data, 0, 1)).isEqualTo(1);
        assertThat(lengths(chunker, new byte[0])).isEmpty();
        // A cut at the maximum needs no byte beyond it: the array may end right there.
        byte[] exact = random(16384, 8);
        assertThat(chunker.cut(exact, 0, exact.length)).isBetween(1025, 16384);
    }

    @Test
    void theSameContentIsCutTheSameWayByEveryChunkerAndAtAnyOffsetOfTheArray() {
        byte[] data = random(4 << 20, 9);
        List<Integer> first = lengths(new ContentDefinedChunker(16 << 10), data);
        List<Integer> second = lengths(new ContentDefinedChunker(16 << 10), data.clone());
        assertThat(second).isEqualTo(first);

        byte[] padded = new byte[data.length + 777];
        System.arraycopy(data, 0, padded, 777, data.length);
        var chunker = new ContentDefinedChunker(16 << 10);
        List<Integer> atOffset = new ArrayList<>();
        for (int at = 0; at < data.length; ) {
            int n = chunker.cut(padded, 777 + at, data.length - at);
            atOffset.add(n);
            at += n;
        }
        assertThat(atOffset).isEqualTo(first);
    }

    @Test
    void anInsertionInTheMiddleChangesOnlyTheChunksAroundIt() {
        var chunker = new ContentDefinedChunker(64 << 10);
        byte[] data = random(8 << 20, 10);
        int at = data.length / 2 + 12345;
        byte[] inserted = {1, 2, 3, 4, 5, 6, 7};
        byte[] edited = new byte[data.length + inserted.length];
        System.arraycopy(data, 0, edited, 0, at);
        System.arraycopy(inserted, 0, edited, at, inserted.length);
        System.arraycopy(data, at, edited, at + inserted.length, data.length - at);

        List<ContentHash> before = hashes(chunker, data);
        List<ContentHash> after = hashes(chunker, edited);
        Set<ContentHash> known = new HashSet<>(before);
        long shared = after.stream().filter(known::contains).count();
        double fraction = (double) shared / after.size();
        String measured = "%d of %d chunks shared (%.4f)".formatted(shared, after.size(), fraction);

        // Measured: 112 of 113 (the chunk with the insertion is the only new one).
        assertThat(after.size()).as(measured).isGreaterThan(60);
        assertThat(after.size() - shared).as("chunks that differ: " + measured).isBetween(1L, 2L);
        assertThat(fraction).as(measured).isGreaterThanOrEqualTo(0.97);
    }

    @Test
    void refusesAnAverageThatIsNotAPowerOfTwoFrom64BytesTo64MiB() {
        for (int average : new int[] {0, -4096, 60_000, 32, 1 << 27, Integer.MIN_VALUE, 4097}) {
            assertThatThrownBy(() -> new ContentDefinedChunker(average)).as("average %d", average)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("power of two").hasMessageContaining(String.valueOf(average));
        }
        assertThat(new ContentDefinedChunker(64).maxSize()).isEqualTo(256);
        assertThat(new ContentDefinedChunker(1 << 26).maxSize()).isEqualTo(1 << 28);
    }
}
