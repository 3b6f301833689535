package dev.kelp.agent.metadata;

import dev.kelp.agent.object.ContentHash;
import dev.kelp.agent.object.ObjectRecord;
import dev.kelp.agent.object.ObjectVersion;
import dev.kelp.agent.versions.VersionIds;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Objects, their versions (current, earlier, delete markers), and blobs with reference counts. One implementation is
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
     * A write that would take its bucket or owner past {@code limits} is refused with
     * {@link dev.kelp.agent.object.RequestRefusedException} and changes nothing.
     */
    PutOutcome put(ObjectRecord record, WriteLimits limits);

    /** {@link #put(ObjectRecord, WriteLimits)} with no quota to hold. */
    default PutOutcome put(ObjectRecord record) {
        return put(record, WriteLimits.NONE);
    }

    /**
     * Bytes of {@code hash} were stored for a write that was then refused: unless something
     * refers to the blob, give it a row with no reference, so the reclaimer removes the bytes
     * ({@code kelp.reclaim.after}) instead of leaving them on the store for good.
     */
    void offerForReclaim(String bucket, dev.kelp.agent.object.ContentHash hash, long size);

    /**
     * Replaces the tag set of one version with content of the key (S3's PutObjectTagging and
     * DeleteObjectTagging, which pass an empty set): no new version, no change of content, user
     * metadata or usage. Setting the same set twice leaves the same state. Empty when the key has
     * no such version, or it is a delete marker.
     */
    Optional<ObjectRecord> putTags(String bucket, String key, String version, Map<String, String> tags);

    /** Removes the object; its blob loses a reference. Empty when there was no such object. */
    default Optional<ObjectRecord> delete(String bucket, String key) {
        return delete(bucket, key, VersionIds.next()).removed();
    }

    /**
     * Deletes the object. With versioning (kelp.versioning) its current version is kept and a
     * delete marker named {@code markerVersion} becomes current; without, the object and its
     * version go and its blob loses a reference. Nothing changes when there is no object (or the
     * latest version is a delete marker already). A second call with the same marker changes
     * nothing either (a journaled delete replayed twice).
     */
    DeleteOutcome delete(String bucket, String key, String markerVersion);

    /**
     * As {@link #delete(String, String, String)}, only when the key's current version is still
     * {@code expectedVersion}: a write since then is not deleted with it (tiering's expiry). Needs
     * the database: while it is unreachable, throws {@link MetadataUnavailableException}.
     */
    DeleteOutcome deleteIfCurrent(String bucket, String key, String expectedVersion, String markerVersion);

    /** The key's latest version, which may be a delete marker; empty when the key has no current version. */
    Optional<ObjectVersion> findLatest(String bucket, String key);

    /** One version of one key, current or earlier, content or delete marker. */
    Optional<ObjectVersion> findVersion(String bucket, String key, String version);

    /**
     * Versions of the keys starting with {@code prefix}: key order, newest first within a key,
     * after {@code after} (exclusive; null: from the start).
     */
    List<ObjectVersion> listVersions(String bucket, String prefix, VersionCursor after, int limit);

    /** Versions of exactly {@code key}, newest first, after {@code after} (null: from the newest). */
    List<ObjectVersion> listVersionsOfKey(String bucket, String key, VersionCursor after, int limit);

    /**
     * Removes one version for good; its blob loses a reference. When it was the current one, the
     * newest earlier version (if any) becomes current again. Empty when there is no such version.
     */
    Optional<ObjectVersion> deleteVersion(String bucket, String key, String version);

    /** Removes up to {@code limit} earlier versions past kelp.versioning.keep-for at {@code now}; how many went. */
    int sweepExpired(java.time.Instant now, int limit);

    /** Current objects of a bucket whose key starts with {@code prefix}, in key order, after {@code startAfter} (exclusive; null: from the start). */
    default List<ObjectRecord> list(String bucket, String prefix, String startAfter, int limit) {
        return list(bucket, prefix, startAfter, limit, null);
    }

    /** As {@link #list(String, String, String, int)}, only the objects {@code owner} wrote (null: every owner's). */
    List<ObjectRecord> list(String bucket, String prefix, String startAfter, int limit, String owner);

    /** True when a blob row with at least one reference exists: its bytes need not be stored again. */
    default boolean hasLiveBlob(String bucket, ContentHash hash) {
        return blobReferences(bucket, hash).orElse(0) > 0;
    }

    /**
     * The references the blob row holds; empty when there is no row. Zero means the row waits
     * for the reclaimer, which may delete the bytes at any moment: a write of the same content
     * stores its bytes and, if {@link PutOutcome#blobCreated()} comes back true, stores them again.
     */
    OptionalLong blobReferences(String bucket, ContentHash hash);

    /** Bytes and objects currently stored in a bucket (current versions), for quotas. */
    Usage usage(String bucket);

    /**
     * Bytes of the kept versions {@code owner} wrote in the bucket and its objects there, for
     * per-owner quotas (docs/access-control.md). While the database is unreachable, what this
     * agent last read plus what it wrote since, counted generously (an overwrite adds without
     * taking away); {@link MetadataUnavailableException} when it has never read it.
     */
    Usage ownerUsage(String bucket, String owner);

    /** Blobs with no reference left, oldest first. */
    List<BlobRef> unreferencedBlobs(int limit);

    /** Blobs with no reference left since before {@code before}, oldest first: those a reclaimer may take. */
    List<BlobRef> unreferencedBlobs(Instant before, int limit);

    /**
     * Reclaims a blob if it still has no reference: holds the blob row locked while
     * {@code deleteBytes} runs, then removes the row, so a concurrent write of the same
     * content either keeps the blob alive or stores its bytes again after the delete.
     * Returns false when the blob gained a reference meanwhile (nothing deleted).
     */
    boolean reclaim(BlobRef blob, Runnable deleteBytes);

    /** What a delete did: the object it removed, and the delete marker it left (versioning on). */
    record DeleteOutcome(Optional<ObjectRecord> removed, Optional<String> marker) {

        static DeleteOutcome nothing() {
            return new DeleteOutcome(Optional.empty(), Optional.empty());
        }
    }

    /** Where a version listing goes on: after this version (key, {@link ObjectVersion#sequence()}). */
    record VersionCursor(String key, long sequence) {
    }

    record PutOutcome(ObjectRecord stored, Optional<ObjectRecord> replaced, boolean blobCreated) {
    }

    record Usage(long bytes, long objects) {
    }

    record BlobRef(String bucket, ContentHash hash, long size) {
    }
}
