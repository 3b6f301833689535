package dev.kelp.agent.encryption;

import dev.kelp.agent.object.ContentHash;
import java.util.List;
import java.util.Optional;

/** What the re-wrapper needs of a blob store: its encrypted blobs' headers and key records. */
public interface KeyRecordStore {

    /** For logs: "fallback volume", "SeaweedFS". */
    String describe();

    /** The encrypted blobs of {@code bucket}. */
    List<ContentHash> encryptedBlobs(String bucket);

    /** The blob's header, or empty when the blob is gone. */
    Optional<byte[]> header(String bucket, ContentHash hash);

    /** The blob's key record, when it has one. */
    Optional<byte[]> override(String bucket, ContentHash hash);

    /**
     * What the blob's key wrap is bound to (docs/encryption.md): its bucket for a blob of the
     * policy's buckets; a copy elsewhere is bound to where it is.
     */
    default String binding(String bucket, ContentHash hash) {
        return bucket;
    }

    /** Stores a key record durably, replacing the previous one. */
    void writeOverride(String bucket, ContentHash hash, byte[] record);
}
