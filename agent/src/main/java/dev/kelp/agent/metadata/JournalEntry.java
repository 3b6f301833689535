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
 * client was given (a put's version, a delete's marker); {@code owner} the owner a put records
 * (absent in entries journaled before owners existed: the default owner).
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
    @Nullable String owner) {

    @Serdeable
    enum Operation {
        PUT, DELETE
    }

    JournalEntry {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(key, "key");
        if (operation == Operation.PUT && (hash == null || createdAt == null)) {
            throw new IllegalArgumentException("a journaled put needs the hash and creation time of its object");
        }
    }

    static JournalEntry put(long sequence, ObjectRecord record, Instant now) {
        return new JournalEntry(UUID.randomUUID(), sequence, Operation.PUT, record.bucket(), record.key(), record.hash().hex(),
            record.size(), record.contentType(), record.userMetadata(), record.createdAt().toString(), now.toString(), record.version(),
            record.owner());
    }

    /** {@code markerVersion}: the id of the delete marker the delete leaves when versioning is on. */
    static JournalEntry delete(long sequence, String bucket, String key, String markerVersion, Instant now) {
        return new JournalEntry(UUID.randomUUID(), sequence, Operation.DELETE, bucket, key, null, 0, null, null, null, now.toString(),
            markerVersion, null);
    }

    /**
     * The object a put makes current; not yet stored, so its database order is 0, but it has the
     * version id it was acknowledged with (entries journaled before versions existed have none
     * and get one at replay).
     */
    ObjectRecord record() {
        if (operation != Operation.PUT) {
            throw new IllegalStateException("a journaled delete carries no object");
        }
        return new ObjectRecord(bucket, key, 0, new ContentHash(hash), size, contentType,
            userMetadata == null ? Map.of() : userMetadata, Instant.parse(createdAt), version, owner);
    }
}
