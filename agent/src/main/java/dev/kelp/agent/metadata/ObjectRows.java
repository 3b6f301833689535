package dev.kelp.agent.metadata;

import dev.kelp.agent.object.ContentHash;
import dev.kelp.agent.object.ObjectKeys;
import dev.kelp.agent.object.ObjectRecord;
import dev.kelp.agent.object.ObjectVersion;
import dev.kelp.agent.versions.VersionIds;
import io.micronaut.core.type.Argument;
import io.micronaut.json.JsonMapper;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Objects;

/** Converts between {@link ObjectRecord} and its row; user metadata travels as a JSON object. */
@Singleton
class ObjectRows {

    private static final Argument<Map<String, String>> STRING_MAP = Argument.mapOf(String.class, String.class);
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static final Argument<java.util.LinkedHashMap<String, String>> ORDERED_MAP =
        (Argument) Argument.of(java.util.LinkedHashMap.class, String.class, String.class);

    private final JsonMapper json;

    ObjectRows(JsonMapper json) {
        this.json = json;
    }

    /**
     * The record as it will read back: checked, and its time cut to the microseconds PostgreSQL
     * keeps, so what a put returns equals what a later find returns. A record without a version id
     * gets one here, and a record without an owner the default owner.
     */
    static ObjectRecord storable(ObjectRecord record) {
        Objects.requireNonNull(record, "record");
        ObjectKeys.requireValidBucket(record.bucket());
        ObjectKeys.requireValidKey(record.key());
        Objects.requireNonNull(record.hash(), "hash");
        Objects.requireNonNull(record.createdAt(), "createdAt");
        if (record.size() < 0) {
            throw new IllegalArgumentException("size must not be negative: " + record.size());
        }
        String version = record.version() == null ? VersionIds.next() : VersionIds.require(record.version());
        return new ObjectRecord(record.bucket(), record.key(), 0, record.hash(), record.size(), record.contentType(),
            record.userMetadata(), record.createdAt().truncatedTo(ChronoUnit.MICROS), version, record.tags(), record.ownerOrDefault());
    }

    ObjectVersionRow toRow(ObjectRecord record) {
        try {
            return new ObjectVersionRow(null, record.bucket(), record.key(), record.hash().hex(), record.size(),
                record.contentType(), json.writeValueAsString(record.userMetadata()), record.createdAt(), record.version(),
                false, null, tagsColumn(record.tags()), record.owner());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write user metadata as JSON", e);
        }
    }

    ObjectRecord toRecord(ObjectVersionRow row) {
        if (row.deleteMarker()) {
            throw new IllegalStateException("version " + row.version() + " of " + row.bucket() + "/" + row.objectKey() + " is a delete marker");
        }
        try {
            Map<String, String> metadata = json.readValue(row.userMetadata(), STRING_MAP);
            return new ObjectRecord(row.bucket(), row.objectKey(), row.id(), new ContentHash(row.hash()), row.size(),
                row.contentType(), metadata == null ? Map.of() : metadata, row.createdAt(), row.version(), tags(row), row.owner());
        } catch (IOException e) {
            throw new UncheckedIOException("user metadata of version " + row.id() + " is not a JSON object", e);
        }
    }

    /** The {@code tags} column of a tag set: a JSON object in the set's order, null for none. */
    String tagsColumn(Map<String, String> tags) {
        if (tags == null || tags.isEmpty()) {
            return null;
        }
        try {
            return json.writeValueAsString(new java.util.LinkedHashMap<>(tags));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write tags as JSON", e);
        }
    }

    private Map<String, String> tags(ObjectVersionRow row) throws IOException {
        if (row.tags() == null || row.tags().isBlank()) {
            return Map.of();
        }
        // LinkedHashMap: the order the client gave them, as they were written.
        Map<String, String> tags = json.readValue(row.tags(), ORDERED_MAP);
        return tags == null ? Map.of() : tags;
    }

    ObjectVersion toVersion(ObjectVersionRow row) {
        boolean latest = row.replacedAt() == null;
        return row.deleteMarker()
            ? ObjectVersion.marker(row.bucket(), row.objectKey(), row.version(), row.id(), latest, row.createdAt(), row.replacedAt(),
                row.owner())
            : ObjectVersion.of(toRecord(row), latest, row.replacedAt());
    }
}
