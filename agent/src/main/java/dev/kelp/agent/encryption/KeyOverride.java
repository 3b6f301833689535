package dev.kelp.agent.encryption;

import dev.kelp.agent.object.ContentHash;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A blob's data key re-wrapped by a newer key-encryption key, kept in a small record beside
 * the blob ({@code blob-keys/...}) so that a rotation rewrites {@value #BYTES} bytes per blob
 * and never the content: magic {@code KELPKEY1}, the blob id it belongs to, the id of the key
 * that wrapped it, the wrapped key. A record whose blob id differs from the blob's (the blob
 * was stored again since) is ignored.
 */
record KeyOverride(byte[] blobId, byte[] kekId, byte[] wrappedKey) {

    static final byte[] MAGIC = "KELPKEY1".getBytes(StandardCharsets.US_ASCII);
    static final int BYTES = MAGIC.length + BlobHeader.BLOB_ID_BYTES + Kek.ID_BYTES + KeyWrap.WRAPPED_BYTES;

    byte[] encode() {
        return ByteBuffer.allocate(BYTES).put(MAGIC).put(blobId).put(kekId).put(wrappedKey).array();
    }

    static KeyOverride decode(byte[] bytes, String bucket, ContentHash hash) {
        if (bytes.length != BYTES || !Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new BlobIntegrityException(bucket, hash, "its key record is not one this agent wrote (" + bytes.length + " bytes)");
        }
        var in = ByteBuffer.wrap(bytes, MAGIC.length, BYTES - MAGIC.length);
        byte[] blobId = new byte[BlobHeader.BLOB_ID_BYTES];
        byte[] kekId = new byte[Kek.ID_BYTES];
        byte[] wrapped = new byte[KeyWrap.WRAPPED_BYTES];
        in.get(blobId).get(kekId).get(wrapped);
        return new KeyOverride(blobId, kekId, wrapped);
    }

    boolean belongsTo(BlobHeader header) {
        return Arrays.equals(blobId, header.blobId());
    }
}
