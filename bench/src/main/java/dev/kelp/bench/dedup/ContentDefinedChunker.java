package dev.kelp.bench.dedup;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Content-defined chunking as FastCDC does it (Xia et al., USENIX ATC 2016): a Gear rolling
 * hash, no cut before the minimum size, a stricter mask up to the average size and a looser
 * one after it (normalized chunking), a forced cut at the maximum. Boundaries depend only on
 * the bytes around them, so an insertion moves the cuts near it and no others. Analysis only:
 * Kelp stores whole objects.
 */
final class ContentDefinedChunker {

    private static final long[] GEAR = gear();
    private final int min;
    private final int avg;
    private final int max;
    private final long maskSmall;
    private final long maskLarge;

    /** {@code average} a power of two; minimum a quarter of it, maximum four times, as FastCDC's defaults. */
    ContentDefinedChunker(int average) {
        if (Integer.bitCount(average) != 1 || average < 64) {
            throw new IllegalArgumentException("average chunk size must be a power of two >= 64: " + average);
        }
        this.avg = average;
        this.min = average / 4;
        this.max = average * 4;
        int bits = Integer.numberOfTrailingZeros(average);
        // The Gear hash's high bits depend on the most bytes (each byte shifts one bit left), so
        // the masks test high bits; level 2 normalization: two bits more before avg, two fewer after.
        this.maskSmall = highBits(bits + 2);
        this.maskLarge = highBits(bits - 2);
    }

    int averageSize() {
        return avg;
    }

    /** The lengths of the chunks of {@code data}, in order; they add up to its length. */
    List<Integer> chunkLengths(byte[] data) {
        List<Integer> lengths = new ArrayList<>();
        int start = 0;
        while (start < data.length) {
            int length = nextCut(data, start, data.length - start);
            lengths.add(length);
            start += length;
        }
        return lengths;
    }

    private int nextCut(byte[] data, int offset, int remaining) {
        if (remaining <= min) {
            return remaining;
        }
        int end = Math.min(remaining, max);
        int normal = Math.min(end, avg);
        long hash = 0;
        int i = min;
        for (; i < normal; i++) {
            hash = (hash << 1) + GEAR[data[offset + i] & 0xff];
            if ((hash & maskSmall) == 0) {
                return i + 1;
            }
        }
        for (; i < end; i++) {
            hash = (hash << 1) + GEAR[data[offset + i] & 0xff];
            if ((hash & maskLarge) == 0) {
                return i + 1;
            }
        }
        return end;
    }

    private static long highBits(int n) {
        return n >= 64 ? -1L : ~(-1L >>> n);
    }

    private static long[] gear() {
        var random = new SplittableRandom(0x6765617254L); // fixed: the same cuts in every run
        long[] table = new long[256];
        for (int i = 0; i < table.length; i++) {
            table[i] = random.nextLong();
        }
        return table;
    }
}
