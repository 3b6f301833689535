package dev.kelp.agent.encryption;

import java.nio.ByteBuffer;

/**
 * The arithmetic of the encrypted blob format: a {@link BlobHeader}, then the plaintext in
 * segments of {@link #SEGMENT_BYTES}, each sealed on its own with AES-256-GCM (16-byte tag),
 * as in the STREAM construction (Hoang, Reyhanitabar, Rogaway, Vizár 2015). The nonce of
 * segment {@code i} is the blob's random 7-byte prefix, {@code i} as 4 bytes, and 1 for the
 * last segment (0 otherwise): a segment moved, dropped or cut off does not authenticate. An
 * empty blob still has one (empty) last segment, so it cannot be truncated to its header.
 */
public final class SegmentFormat {

    public static final int SEGMENT_BYTES = 64 * 1024;
    public static final int TAG_BYTES = 16;
    public static final int NONCE_PREFIX_BYTES = 7;
    static final int NONCE_BYTES = 12;

    private SegmentFormat() {
    }

    /** Segments of a blob of {@code plaintextSize} bytes: at least one. */
    public static long segments(long plaintextSize) {
        return plaintextSize == 0 ? 1 : (plaintextSize + SEGMENT_BYTES - 1) / SEGMENT_BYTES;
    }

    /** Plaintext bytes of segment {@code index}. */
    static int plaintextOf(long index, long plaintextSize) {
        return (int) Math.min(SEGMENT_BYTES, plaintextSize - index * SEGMENT_BYTES);
    }

    /** Size of the whole encrypted blob, header included. */
    public static long storedSize(long plaintextSize) {
        return BlobHeader.BYTES + segments(plaintextSize) * TAG_BYTES + plaintextSize;
    }

    /** Where segment {@code index} starts in the encrypted blob. */
    public static long offsetOfSegment(long index) {
        return BlobHeader.BYTES + index * (long) (SEGMENT_BYTES + TAG_BYTES);
    }

    static byte[] nonce(byte[] prefix, long index, long plaintextSize) {
        if (index > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("segment index out of range: " + index);
        }
        boolean last = index == segments(plaintextSize) - 1;
        return ByteBuffer.allocate(NONCE_BYTES).put(prefix, 0, NONCE_PREFIX_BYTES)
            .putInt((int) index).put((byte) (last ? 1 : 0)).array();
    }
}
