package dev.kelp.agent.encryption;

import dev.kelp.agent.object.ContentHash;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The first {@value #BYTES} bytes of an encrypted blob: magic {@code KELPENC1}, segment size
 * (int), plaintext size (long), a random blob id (16 bytes, what a {@link KeyOverride} names),
 * the nonce prefix (7), the id of the key that wrapped the data key (8), and the wrapped data
 * key (60). Writing the wrapped key inline makes a blob self-contained: one object, written
 * in one go, so two agents storing the same content at once can never leave one's key beside
 * the other's ciphertext.
 */
record BlobHeader(int segmentBytes, long plaintextSize, byte[] blobId, byte[] noncePrefix, byte[] kekId, byte[] wrappedKey) {

    static final byte[] MAGIC = "KELPENC1".getBytes(StandardCharsets.US_ASCII);
    static final int BLOB_ID_BYTES = 16;
    /** Magic through nonce prefix: the fields every wrap of this blob's key authenticates. */
    static final int FIELDS_BYTES = 8 + 4 + 8 + BLOB_ID_BYTES + SegmentFormat.NONCE_PREFIX_BYTES;
    public static final int BYTES = FIELDS_BYTES + Kek.ID_BYTES + KeyWrap.WRAPPED_BYTES;

    byte[] encode() {
        return ByteBuffer.allocate(BYTES).put(fields()).put(kekId).put(wrappedKey).array();
    }

    byte[] fields() {
        return ByteBuffer.allocate(FIELDS_BYTES).put(MAGIC).putInt(segmentBytes).putLong(plaintextSize)
            .put(blobId).put(noncePrefix).array();
    }

    static BlobHeader decode(byte[] bytes, String bucket, ContentHash hash) {
        if (bytes.length < BYTES || !Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new BlobIntegrityException(bucket, hash, "it does not start with an encryption header");
        }
        var in = ByteBuffer.wrap(bytes, MAGIC.length, BYTES - MAGIC.length);
        int segmentBytes = in.getInt();
        long plaintextSize = in.getLong();
        if (segmentBytes != SegmentFormat.SEGMENT_BYTES || plaintextSize < 0) {
            throw new BlobIntegrityException(bucket, hash, "its header is not one this agent wrote (segment size "
                + segmentBytes + ", size " + plaintextSize + ")");
        }
        byte[] blobId = new byte[BLOB_ID_BYTES];
        byte[] prefix = new byte[SegmentFormat.NONCE_PREFIX_BYTES];
        byte[] kekId = new byte[Kek.ID_BYTES];
        byte[] wrapped = new byte[KeyWrap.WRAPPED_BYTES];
        in.get(blobId).get(prefix).get(kekId).get(wrapped);
        return new BlobHeader(segmentBytes, plaintextSize, blobId, prefix, kekId, wrapped);
    }
}
