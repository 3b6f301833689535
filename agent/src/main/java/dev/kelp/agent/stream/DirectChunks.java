package dev.kelp.agent.stream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.UnpooledDirectByteBuf;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * The pieces an object's content is sent to a client in, by either door: direct buffers of
 * {@value #SIZE} bytes that go back to a free list when Netty has written and released them.
 *
 * <p>Why not Netty's allocators: Micronaut sets {@code io.netty.allocator.maxOrder=3}, so the
 * pooled allocator's chunks are 64 KiB and a 256 KiB piece is "huge", fresh native memory that
 * the JDK zeroes on every allocation; the blocking pool's virtual threads have no thread cache
 * either, and the adaptive allocator frees and re-allocates its chunks just the same under this
 * pattern. That allocation and zeroing was the largest single cost of a GET in a profile. Pieces
 * smaller than 256 KiB cost per-write overhead instead (docs/benchmarks.md).
 */
@Singleton
public final class DirectChunks {

    /** Bytes per piece. */
    public static final int SIZE = 256 * 1024;
    /** Pieces kept for reuse: 16 MiB, what 16 streams with a few pieces in flight each hold. */
    private static final int KEPT = 64;

    private final BlockingQueue<ByteBuffer> free = new ArrayBlockingQueue<>(KEPT);

    /**
     * The next piece of {@code in}: up to {@code max} (at most {@value #SIZE}) bytes, fewer only
     * at its end; {@code null} when nothing is left. {@code scratch} is the caller's, at least
     * {@code max} long, reused from piece to piece, since an InputStream cannot fill a direct buffer itself.
     */
    public ByteBuf next(InputStream in, byte[] scratch, int max) throws IOException {
        int want = Math.min(max, SIZE);
        int n = in.readNBytes(scratch, 0, want);
        if (n == 0) {
            return null;
        }
        ByteBuffer memory = free.poll();
        if (memory == null) {
            memory = ByteBuffer.allocateDirect(SIZE);
        }
        memory.clear();
        memory.put(scratch, 0, n).flip();
        return new Piece(memory);
    }

    /** A scratch array for a content of {@code length} bytes ({@code < 0}: unknown). */
    public static byte[] scratchFor(long length) {
        return new byte[length < 0 || length > SIZE ? SIZE : (int) Math.max(1, length)];
    }

    /** Free pieces, for tests. */
    int kept() {
        return free.size();
    }

    private final class Piece extends UnpooledDirectByteBuf {

        private final ByteBuffer memory;

        Piece(ByteBuffer memory) {
            // A buffer Netty did not allocate, so it never frees it: deallocate gives it back instead.
            super(UnpooledByteBufAllocator.DEFAULT, memory, SIZE);
            this.memory = memory;
            setIndex(0, memory.remaining());
        }

        @Override
        protected void deallocate() {
            super.deallocate();
            free.offer(memory);
        }
    }
}
