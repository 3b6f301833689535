package dev.kelp.agent.blob.chunks;

import java.util.SplittableRandom;

/**
 * Where content-defined chunks end, as FastCDC cuts them (Xia et al., USENIX ATC 2016): a Gear
 * rolling hash, no cut before the minimum size, a stricter mask up to the average size and a
 * looser one after it (normalized chunking), a forced cut at the maximum. A cut depends only on
 * the bytes just before it, so an insertion or deletion moves the cuts near it and no others,
 * and two similar files share every chunk away from where they differ.
 */
public final class ContentDefinedChunker {

    private static final long[] GEAR = gear();
    private final int min;
    private final int avg;
    private final int max;
    private final long maskSmall;
    private final long maskLarge;

    /** {@code average} a power of two; minimum a quarter of it, maximum four times, as FastCDC's defaults. */
    public ContentDefinedChunker(int average) {
        if (Integer.bitCount(average) != 1 || average < 64 || average > (1 << 26)) {
            throw new IllegalArgumentException("average chunk size must be a power of two from 64 bytes to 64 MiB: " + average);
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

    public int averageSize() {
        return avg;
    }

    /** The longest chunk: a reader needs this much of the content at hand to make a cut. */
    public int maxSize() {
        return max;
    }

    /**
     * The length of the chunk that starts at {@code offset}. {@code available} bytes follow it
     * there: at least {@link #maxSize()}, or all that is left of the content.
     */
    public int cut(byte[] data, int offset, int available) {
        if (available <= min) {
            return available;
        }
        int end = Math.min(available, max);
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
        // Fixed: the same content is cut the same way by every agent and every release, or two
        // agents storing the same file would share no chunk.
        var random = new SplittableRandom(0x6765617254L);
        long[] table = new long[256];
        for (int i = 0; i < table.length; i++) {
            table[i] = random.nextLong();
        }
        return table;
    }
}
