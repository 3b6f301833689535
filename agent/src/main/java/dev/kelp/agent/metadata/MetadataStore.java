package dev.kelp.agent.metadata;

import dev.kelp.agent.object.ContentHash;
import dev.kelp.agent.object.ObjectRecord;
import java.util.List;
import java.util.Optional;

/**
 * Objects, their current versions, and blobs with reference counts. One implementation is
 * backed by JDBC (PostgreSQL, or embedded H2 for the zero-config default); another wraps it
 * with a local journal so writes go on while PostgreSQL is down (LOCAL_ONLY).
 *
 * Every method throws {@link MetadataUnavailableException} when the store cannot be reached.
 */
public interface MetadataStore {

    Optional<ObjectRecord> find(String bucket, String key);

    /**
     * Makes {@code record} the current version of its object in one transaction: assigns its
     * version id, adds a reference to its blob (creating the blob row if there is none), drops
     * the reference the previous current version held, and adjusts the bucket's usage. The
     * caller has made the blob's bytes durable before calling, unless it skipped that because
     * {@link #hasLiveBlob} said the blob existed: then, if {@link PutOutcome#blobCreated()}
     * comes back true (the blob was reclaimed in between), it must store the bytes now.
     */
    PutOutcome put(ObjectRecord record);

    /** Removes the object; its blob loses a reference. Empty when there was no such object. */
    Optional<ObjectRecord> delete(String bucket, String key);

    /** Current objects of a bucket whose key starts with {@code prefix}, in key order, after {@code startAfter} (exclusive; null: from the start). */
    List<ObjectRecord> list(String bucket, String prefix, String startAfter, int limit);

    /** True when a blob row with at least one reference exists: its bytes need not be stored again. */
    boolean hasLiveBlob(String bucket, ContentHash hash);

    /** Bytes and objects currently stored in a bucket (current versions), for quotas. */
    Usage usage(String bucket);

    /** Blobs with no reference left, oldest first. */
    List<BlobRef> unreferencedBlobs(int limit);

    /**
     * Reclaims a blob if it still has no reference: holds the blob row locked while
     * {@code deleteBytes} runs, then removes the row, so a concurrent write of the same
     * content either keeps the blob alive or stores its bytes again after the delete.
     * Returns false when the blob gained a reference meanwhile (nothing deleted).
     */
    boolean reclaim(BlobRef blob, Runnable deleteBytes);

    record PutOutcome(ObjectRecord stored, Optional<ObjectRecord> replaced, boolean blobCreated) {
    }

    record Usage(long bytes, long objects) {
    }

    record BlobRef(String bucket, ContentHash hash, long size) {
    }
}
