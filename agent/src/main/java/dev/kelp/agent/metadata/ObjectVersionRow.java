package dev.kelp.agent.metadata;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.GeneratedValue;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import java.time.Instant;

/**
 * A row of {@code object_versions}; {@code userMetadata} is the client's metadata as a JSON
 * object. A delete marker has no hash and size 0. {@code replacedAt} is null while the version is
 * current. {@code tags} is the version's tag set as a JSON object, null for none. {@code owner} is
 * who wrote the version (for a delete marker: the owner of what it deleted).
 */
@MappedEntity("object_versions")
record ObjectVersionRow(
    @Id @GeneratedValue @Nullable Long id,
    String bucket,
    String objectKey,
    @Nullable String hash,
    long size,
    @Nullable String contentType,
    String userMetadata,
    Instant createdAt,
    String version,
    boolean deleteMarker,
    @Nullable Instant replacedAt,
    @Nullable String tags,
    @Nullable String owner) {

    /** {@code owner}: the owner of the object the marker deletes. */
    static ObjectVersionRow marker(String bucket, String key, String version, Instant createdAt, String owner) {
        return new ObjectVersionRow(null, bucket, key, null, 0, null, "{}", createdAt, version, true, null, null, owner);
    }
}
