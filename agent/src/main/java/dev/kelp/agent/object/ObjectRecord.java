package dev.kelp.agent.object;

import java.time.Instant;
import java.util.Map;

/**
 * One version of one object: what the metadata store keeps. The bytes live in a blob named
 * by {@link #hash()}; several records may share a blob (dedup).
 *
 * @param bucket      a bucket named in the configuration
 * @param key         the object key, already validated ({@link ObjectKeys})
 * @param versionId   the database's order of the versions of a key (increasing in the order they
 *                    became current); 0 before the version is in the database (journaled)
 * @param hash        SHA-256 of the content, also the ETag
 * @param size        content length in bytes
 * @param contentType media type the client declared
 * @param userMetadata the client's x-kelp-meta-* headers, lower-case names without the prefix
 * @param createdAt   when the agent acknowledged the write
 * @param version     the version id clients see ({@code dev.kelp.agent.versions.VersionIds}), given
 *                    by the agent when it accepts the write; null until then
 * @param tags        the version's tag set ({@link ObjectTags}), in the order it was given; empty for none.
 *                    Unlike the rest it can change after the write (S3's PutObjectTagging)
 * @param owner       the owner whose credential wrote it (docs/access-control.md); null for records
 *                    made without one, which belong to the default owner
 */
public record ObjectRecord(
    String bucket,
    String key,
    long versionId,
    ContentHash hash,
    long size,
    String contentType,
    Map<String, String> userMetadata,
    Instant createdAt,
    String version,
    Map<String, String> tags,
    String owner) {

    public ObjectRecord {
        userMetadata = Map.copyOf(userMetadata);
        tags = ObjectTags.copyOf(tags);
    }

    /** A record without tags or owner (the default owner's). */
    public ObjectRecord(String bucket, String key, long versionId, ContentHash hash, long size, String contentType,
                        Map<String, String> userMetadata, Instant createdAt, String version) {
        this(bucket, key, versionId, hash, size, contentType, userMetadata, createdAt, version, Map.of(), null);
    }

    /** A record with tags and without an owner (the default owner's). */
    public ObjectRecord(String bucket, String key, long versionId, ContentHash hash, long size, String contentType,
                        Map<String, String> userMetadata, Instant createdAt, String version, Map<String, String> tags) {
        this(bucket, key, versionId, hash, size, contentType, userMetadata, createdAt, version, tags, null);
    }

    /** A record with an owner and without tags. */
    public ObjectRecord(String bucket, String key, long versionId, ContentHash hash, long size, String contentType,
                        Map<String, String> userMetadata, Instant createdAt, String version, String owner) {
        this(bucket, key, versionId, hash, size, contentType, userMetadata, createdAt, version, Map.of(), owner);
    }

    /** A record whose version id the metadata store gives it (or the agent, before storing). */
    public ObjectRecord(String bucket, String key, long versionId, ContentHash hash, long size, String contentType,
                        Map<String, String> userMetadata, Instant createdAt) {
        this(bucket, key, versionId, hash, size, contentType, userMetadata, createdAt, null, Map.of(), null);
    }

    public ObjectRecord withVersionId(long id) {
        return new ObjectRecord(bucket, key, id, hash, size, contentType, userMetadata, createdAt, version, tags, owner);
    }

    public ObjectRecord withVersion(String version) {
        return new ObjectRecord(bucket, key, versionId, hash, size, contentType, userMetadata, createdAt, version, tags, owner);
    }

    public ObjectRecord withTags(Map<String, String> newTags) {
        return new ObjectRecord(bucket, key, versionId, hash, size, contentType, userMetadata, createdAt, version, newTags, owner);
    }

    public ObjectRecord withOwner(String owner) {
        return new ObjectRecord(bucket, key, versionId, hash, size, contentType, userMetadata, createdAt, version, tags, owner);
    }

    /** The owner, the default one for records made before owners existed. */
    public String ownerOrDefault() {
        return owner == null ? dev.kelp.agent.access.Caller.DEFAULT_OWNER : owner;
    }
}
