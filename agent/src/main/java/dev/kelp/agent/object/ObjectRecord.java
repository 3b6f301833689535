package dev.kelp.agent.object;

import java.time.Instant;
import java.util.Map;

/**
 * One version of one object: what the metadata store keeps. The bytes live in a blob named
 * by {@link #hash()}; several records may share a blob (dedup).
 *
 * @param bucket      a bucket named in the configuration
 * @param key         the object key, already validated ({@link ObjectKeys})
 * @param versionId   assigned by the metadata store, increasing per object; 0 before it is stored
 * @param hash        SHA-256 of the content, also the ETag
 * @param size        content length in bytes
 * @param contentType media type the client declared
 * @param userMetadata the client's x-kelp-meta-* headers, lower-case names without the prefix
 * @param createdAt   when the agent acknowledged the write
 */
public record ObjectRecord(
    String bucket,
    String key,
    long versionId,
    ContentHash hash,
    long size,
    String contentType,
    Map<String, String> userMetadata,
    Instant createdAt) {

    public ObjectRecord {
        userMetadata = Map.copyOf(userMetadata);
    }

    public ObjectRecord withVersionId(long id) {
        return new ObjectRecord(bucket, key, id, hash, size, contentType, userMetadata, createdAt);
    }
}
