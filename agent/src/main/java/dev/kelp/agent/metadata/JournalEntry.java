package dev.kelp.agent.metadata;

import dev.kelp.agent.object.ContentHash;
import dev.kelp.agent.object.ObjectRecord;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * One metadata write acknowledged while the database was unreachable, as it sits in its file of
 * the local journal. {@code sequence} orders the entries; {@code id} names the entry in
 * {@code applied_journal} so it is applied once however often replay starts over. Instants are
 * kept as ISO-8601 text so they read back to the nanosecond. {@code version} is the version id the
 * client was given (a put's version, a delete's marker), or for {@code TAGS} the version whose tag
 * set becomes {@code tags}. {@code tags} is also the tag set of a put's object; null in entries
 * journaled before tags existed. {@code owner} is the owner a put records (absent in entries
 * journaled before owners existed: the default owner).
 */
@Serdeable
record JournalEntry(
    UUID id,
    long sequence,
    Operation operation,
    String bucket,
    String key,
    @Nullable String hash,
    long size,
    @Nullable String contentType,
    @Nullable Map<String, String> userMetadata,
    @Nullable String createdAt,
    String journaledAt,
    @Nullable String version,
    @Nullable Map<String, String> tags,
    @Nullable String owner) {

    @Serdeable
    enum Operation {
        PUT, DELETE, TAGS
    }

    JournalEntry {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(key, "key");
        if (operation == Operation.PUT && (hash == null || createdAt == null)) {
            throw new IllegalArgumentException("a journaled put needs the hash and creation time of its object");
        }
        if (operation == Operation.TAGS && version == null) {
            throw new IllegalArgumentException("journaled tags need the version they are set on");
        }
    }

    static JournalEntry put(long sequence, ObjectRecord record, Instant now) {
        return new JournalEntry(UUID.randomUUID(), sequence, Operation.PUT, record.bucket(), record.key(), record.hash().hex(),
            record.size(), record.contentType(), record.userMetadata(), record.createdAt().toString(), now.toString(), record.version(),
            record.tags().isEmpty() ? null : new java.util.LinkedHashMap<>(record.tags()), record.owner());
    }

    /** The tag set of {@code version} of the key becomes {@code tags} (empty: no tags). */
    static JournalEntry tags(long sequence, String bucket, String key, String version, Map<String, String> tags, Instant now) {
        return new JournalEntry(UUID.randomUUID(), sequence, Operation.TAGS, bucket, key, null, 0, null, null, null, now.toString(),
            version, new java.util.LinkedHashMap<>(tags), null);
    }

    Map<String, String> tagsOrEmpty() {
        return tags == null ? Map.of() : tags;
    }

    /** {@code markerVersion}: the id of the delete marker the delete leaves when versioning is on. */
    static JournalEntry delete(long sequence, String bucket, String key, String markerVersion, Instant now) {
        return new JournalEntry(UUID.randomUUID(), sequence, Operation.DELETE, bucket, key, null, 0, null, null, null, now.toString(),
            markerVersion, null, null);
    }

    /**
     * The object a put makes current; not yet stored, so its database order is 0, but it has the
     * version id it was acknowledged with (entries journaled before versions existed have none
     * and get one at replay).
     */
    ObjectRecord record() {
        if (operation != Operation.PUT) {
            throw new IllegalStateException("a journaled " + operation + " carries no object");
        }
        return new ObjectRecord(bucket, key, 0, new ContentHash(hash), size, contentType,
            userMetadata == null ? Map.of() : userMetadata, Instant.parse(createdAt), version, tagsOrEmpty(), owner);
    }
}
