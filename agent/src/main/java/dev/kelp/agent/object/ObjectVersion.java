package dev.kelp.agent.object;

import java.time.Instant;

/**
 * One version of a key as the version history shows it: content ({@code object}), or a delete
 * marker (the key was deleted; {@code object} null).
 *
 * @param version    the version id clients see
 * @param sequence   the database's order of the key's versions (greater is newer); 0 while journaled
 * @param latest     true for the key's current version (which may be a delete marker)
 * @param createdAt  when the agent acknowledged the write or delete
 * @param replacedAt when a newer version replaced it; null while it is the latest
 * @param owner      the owner of the content, or of the object a delete marker deleted; null: the default owner
 */
public record ObjectVersion(String bucket, String key, String version, long sequence, boolean latest, boolean deleteMarker,
                            Instant createdAt, Instant replacedAt, ObjectRecord object, String owner) {

    public static ObjectVersion of(ObjectRecord object, boolean latest, Instant replacedAt) {
        return new ObjectVersion(object.bucket(), object.key(), object.version(), object.versionId(), latest, false, object.createdAt(),
            replacedAt, object, object.owner());
    }

    public static ObjectVersion marker(String bucket, String key, String version, long sequence, boolean latest,
                                       Instant createdAt, Instant replacedAt) {
        return marker(bucket, key, version, sequence, latest, createdAt, replacedAt, null);
    }

    public static ObjectVersion marker(String bucket, String key, String version, long sequence, boolean latest,
                                       Instant createdAt, Instant replacedAt, String owner) {
        return new ObjectVersion(bucket, key, version, sequence, latest, true, createdAt, replacedAt, null, owner);
    }
}
