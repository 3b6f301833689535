package dev.kelp.agent.backup;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kelp.agent.object.ContentHash;
import dev.kelp.agent.object.ObjectRecord;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;

/**
 * One object of a backup's metadata snapshot: a line of {@code objects.jsonl.gz}. Everything a
 * restore needs to make the object again, its content found by hash among the blobs. {@code tags}
 * is left out of the line when there are none (and absent from older snapshots); {@code owner}
 * is absent from snapshots taken before owners existed (the default owner's objects).
 */
record SnapshotEntry(String bucket, String key, String hash, long size, String contentType,
                     Map<String, String> userMetadata, String createdAt, Map<String, String> tags, String owner) {

    private static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
        .setSerializationInclusion(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL);

    static SnapshotEntry of(ObjectRecord record) {
        return new SnapshotEntry(record.bucket(), record.key(), record.hash().hex(), record.size(), record.contentType(),
            record.userMetadata(), record.createdAt().toString(), record.tags().isEmpty() ? null : new java.util.LinkedHashMap<>(record.tags()),
            record.ownerOrDefault());
    }

    /** The object's tag set; none in snapshots taken before tags were kept. */
    Map<String, String> tagsOrEmpty() {
        return tags == null ? Map.of() : tags;
    }

    ContentHash contentHash() {
        return new ContentHash(hash);
    }

    Instant created() {
        return Instant.parse(createdAt);
    }

    void writeLine(OutputStream out) {
        try {
            out.write(JSON.writeValueAsBytes(this));
            out.write('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads a gzip'd JSON-lines snapshot, one entry at a time. */
    static void readAll(InputStream gzipped, Consumer<SnapshotEntry> each) {
        try (var reader = new BufferedReader(new InputStreamReader(new GZIPInputStream(gzipped, 64 * 1024), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (!line.isBlank()) {
                    each.accept(JSON.readValue(line, SnapshotEntry.class));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the backup's snapshot", e);
        }
    }
}
