package dev.kelp.bench;

import java.io.InputStream;
import java.util.SplittableRandom;
import software.amazon.awssdk.http.ContentStreamProvider;

/**
 * A body of {@code size} bytes that differs for every {@code seed} (the agent deduplicates by
 * content, so equal bodies would not be stored twice), streamed from one shared random block
 * so 16 concurrent 64 MiB uploads need no gigabyte of heap.
 */
final class UniqueBody implements ContentStreamProvider {

    private static final byte[] BLOCK = new byte[1 << 20];

    static {
        new SplittableRandom(0x6b656c70L).nextBytes(BLOCK);
    }

    private final long size;
    private final long seed;

    UniqueBody(long size, long seed) {
        this.size = size;
        this.seed = seed;
    }

    @Override
    public InputStream newStream() {
        return new InputStream() {
            private long position;

            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (position >= size) {
                    return -1;
                }
                int n = (int) Math.min(len, size - position);
                for (int i = 0; i < n; i++) {
                    long p = position + i;
                    // The first 8 bytes carry the seed; the rest is the shared block.
                    b[off + i] = p < 8 ? (byte) (seed >>> (8 * p)) : BLOCK[(int) (p % BLOCK.length)];
                }
                position += n;
                return n;
            }
        };
    }
}
