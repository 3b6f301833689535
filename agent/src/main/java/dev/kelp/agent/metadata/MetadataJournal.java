package dev.kelp.agent.metadata;

import dev.kelp.agent.object.ContentHash;
import dev.kelp.agent.object.ObjectRecord;
import dev.kelp.agent.versions.VersionIds;
import io.micronaut.context.annotation.Value;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.json.JsonMapper;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Metadata writes acknowledged while the database was unreachable, one file per entry under
 * {@code <kelp.fallback.dir>/metadata-journal/}, named by sequence so the directory listing is
 * the replay order. An entry is durable before {@link #appendPut}/{@link #appendDelete} returns
 * (temp file, fsync, rename, fsync of the directory), so a crash loses no acknowledged write.
 *
 * Alongside the files it keeps the overlay: for every key with a pending entry, what the
 * object will be once the journal is replayed (a record, or gone). Reads look there first.
 * Thread-safe; every method holds the journal's lock.
 */
@Singleton
class MetadataJournal {

    private static final Logger LOG = LoggerFactory.getLogger(MetadataJournal.class);
    private static final Pattern ENTRY_FILE = Pattern.compile("(\\d{20})-[0-9a-f-]{36}\\.json");
    private static final String TEMP_PREFIX = ".tmp-";

    /**
     * What the object at a key will be after replay; {@code record} null: deleted, {@code version}
     * then the id of the delete marker the delete leaves if versioning is on.
     */
    record Pending(long sequence, String bucket, String key, @Nullable ObjectRecord record, @Nullable String version) {
    }

    private record ObjectKey(String bucket, String key) {
    }

    private record BlobKey(String bucket, ContentHash hash) {
    }

    private record VersionKey(String bucket, String key, String version) {
    }

    /** The tag set a pending TAGS entry gives a version, and which entry (the newest for that version). */
    private record PendingTags(long sequence, Map<String, String> tags) {
    }

    private final Path dir;
    private final JsonMapper json;
    private final TreeMap<Long, JournalEntry> entries = new TreeMap<>();
    private final Map<ObjectKey, Pending> overlay = new HashMap<>();
    /** References the overlay's records hold, per blob: such a blob must not be reclaimed. */
    private final Map<BlobKey, Integer> overlayReferences = new HashMap<>();
    /**
     * Tag sets journaled for versions: they change no object's overlay state (a version keeps its
     * content), so reads lay them over whatever record they find, journaled or from the database.
     */
    private final Map<VersionKey, PendingTags> pendingTags = new HashMap<>();
    private long nextSequence = 1;

    MetadataJournal(@Value("${kelp.fallback.dir:kelp-data}") Path fallbackDir, JsonMapper json) {
        this.dir = fallbackDir.resolve("metadata-journal");
        this.json = json;
        load();
    }

    Path directory() {
        return dir;
    }

    synchronized JournalEntry appendPut(ObjectRecord record, Instant now) {
        JournalEntry entry = JournalEntry.put(nextSequence, record, now);
        write(entry);
        add(entry);
        return entry;
    }

    synchronized JournalEntry appendDelete(String bucket, String key, Instant now) {
        return appendDelete(bucket, key, VersionIds.next(), now);
    }

    synchronized JournalEntry appendDelete(String bucket, String key, String markerVersion, Instant now) {
        JournalEntry entry = JournalEntry.delete(nextSequence, bucket, key, markerVersion, now);
        write(entry);
        add(entry);
        return entry;
    }

    synchronized JournalEntry appendTags(String bucket, String key, String version, Map<String, String> tags, Instant now) {
        JournalEntry entry = JournalEntry.tags(nextSequence, bucket, key, version, tags, now);
        write(entry);
        add(entry);
        return entry;
    }

    /** The pending entry that writes this version of this key (a put, or a delete's marker). */
    synchronized Optional<JournalEntry> entryOfVersion(String bucket, String key, String version) {
        return entries.values().stream()
            .filter(e -> e.operation() != JournalEntry.Operation.TAGS)
            .filter(e -> e.bucket().equals(bucket) && e.key().equals(key) && version.equals(e.version()))
            .findFirst();
    }

    /** The tag sets pending entries give versions of this key, by version id; empty when none does. */
    synchronized Map<String, Map<String, String>> pendingTagsOf(String bucket, String key) {
        if (pendingTags.isEmpty()) {
            return Map.of();
        }
        Map<String, Map<String, String>> found = new HashMap<>();
        pendingTags.forEach((k, p) -> {
            if (k.bucket().equals(bucket) && k.key().equals(key)) {
                found.put(k.version(), p.tags());
            }
        });
        return found;
    }

    /** The tag sets pending for versions of a bucket's keys, by key then version id: for listings. */
    synchronized Map<String, Map<String, Map<String, String>>> pendingTagsIn(String bucket) {
        if (pendingTags.isEmpty()) {
            return Map.of();
        }
        Map<String, Map<String, Map<String, String>>> found = new HashMap<>();
        pendingTags.forEach((k, p) -> {
            if (k.bucket().equals(bucket)) {
                found.computeIfAbsent(k.key(), x -> new HashMap<>()).put(k.version(), p.tags());
            }
        });
        return found;
    }

    /** Pending entries, oldest first. */
    synchronized List<JournalEntry> pending() {
        return List.copyOf(entries.values());
    }

    synchronized int size() {
        return entries.size();
    }

    synchronized boolean isEmpty() {
        return entries.isEmpty();
    }

    /**
     * Forgets an entry whose change is in the database: deletes its file and, unless a later
     * entry for the same key is pending, its overlay state (the database now answers for it).
     */
    synchronized void remove(JournalEntry entry) {
        try {
            Files.deleteIfExists(dir.resolve(fileName(entry)));
            syncDirectory();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete replayed journal entry " + fileName(entry), e);
        }
        entries.remove(entry.sequence());
        if (entry.operation() == JournalEntry.Operation.TAGS) {
            pendingTags.computeIfPresent(new VersionKey(entry.bucket(), entry.key(), entry.version()),
                (k, p) -> p.sequence() == entry.sequence() ? null : p);
            return;
        }
        ObjectKey key = new ObjectKey(entry.bucket(), entry.key());
        Pending pending = overlay.get(key);
        if (pending != null && pending.sequence() == entry.sequence()) {
            overlay.remove(key);
            release(pending.record());
        }
    }

    synchronized Optional<Pending> lookup(String bucket, String key) {
        return Optional.ofNullable(overlay.get(new ObjectKey(bucket, key)));
    }

    /** Overlay states of a bucket's keys that start with {@code prefix} and come after {@code startAfter}. */
    synchronized List<Pending> pendingIn(String bucket, String prefix, @Nullable String startAfter) {
        List<Pending> found = new ArrayList<>();
        for (Pending p : overlay.values()) {
            if (p.bucket().equals(bucket) && p.key().startsWith(prefix)
                && (startAfter == null || KeyOrder.INSTANCE.compare(p.key(), startAfter) > 0)) {
                found.add(p);
            }
        }
        found.sort((a, b) -> KeyOrder.INSTANCE.compare(a.key(), b.key()));
        return found;
    }

    synchronized boolean hasPendingIn(String bucket) {
        return overlay.keySet().stream().anyMatch(k -> k.bucket().equals(bucket));
    }

    /** True when a pending put's object uses this blob: its bytes are live whatever the database says. */
    synchronized boolean holdsReference(String bucket, ContentHash hash) {
        return overlayReferences.containsKey(new BlobKey(bucket, hash));
    }

    private void add(JournalEntry entry) {
        entries.put(entry.sequence(), entry);
        nextSequence = Math.max(nextSequence, entry.sequence() + 1);
        if (entry.operation() == JournalEntry.Operation.TAGS) {
            pendingTags.put(new VersionKey(entry.bucket(), entry.key(), entry.version()),
                new PendingTags(entry.sequence(), dev.kelp.agent.object.ObjectTags.copyOf(entry.tagsOrEmpty())));
            return;
        }
        ObjectKey key = new ObjectKey(entry.bucket(), entry.key());
        ObjectRecord record = entry.operation() == JournalEntry.Operation.PUT ? entry.record() : null;
        Pending previous = overlay.put(key, new Pending(entry.sequence(), entry.bucket(), entry.key(), record,
            record != null ? record.version() : entry.version()));
        if (previous != null) {
            release(previous.record());
        }
        if (record != null) {
            overlayReferences.merge(new BlobKey(record.bucket(), record.hash()), 1, Integer::sum);
        }
    }

    private void release(@Nullable ObjectRecord record) {
        if (record != null) {
            overlayReferences.computeIfPresent(new BlobKey(record.bucket(), record.hash()), (k, n) -> n == 1 ? null : n - 1);
        }
    }

    private void write(JournalEntry entry) {
        Path temp = dir.resolve(TEMP_PREFIX + entry.id() + ".json");
        try {
            byte[] bytes = json.writeValueAsBytes(entry);
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            Files.move(temp, dir.resolve(fileName(entry)), StandardCopyOption.ATOMIC_MOVE);
            syncDirectory();
        } catch (IOException e) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // The write failed already; a leftover temp file is removed at the next start.
            }
            throw new MetadataUnavailableException("the metadata database is unreachable and the local metadata journal in "
                + dir + " cannot be written: " + e.getMessage(), e);
        }
    }

    private void syncDirectory() throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    private void load() {
        try {
            Files.createDirectories(dir);
            List<Path> files;
            try (Stream<Path> listing = Files.list(dir)) {
                files = listing.sorted().toList();
            }
            for (Path file : files) {
                String name = file.getFileName().toString();
                Matcher m = ENTRY_FILE.matcher(name);
                if (name.startsWith(TEMP_PREFIX)) {
                    // Never renamed into place, so never acknowledged.
                    Files.delete(file);
                } else if (m.matches()) {
                    loadEntry(file);
                }
            }
            syncDirectory();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the metadata journal in " + dir, e);
        }
        if (!entries.isEmpty()) {
            LOG.warn("metadata journal {} holds {} write(s) not yet in the database", dir, entries.size());
        }
    }

    private void loadEntry(Path file) throws IOException {
        try {
            add(json.readValue(Files.readAllBytes(file), JournalEntry.class));
        } catch (IOException | RuntimeException e) {
            // Only a disk that lied about fsync produces this; keep the bytes for a person to look at.
            Path aside = file.resolveSibling(file.getFileName() + ".unreadable");
            Files.move(file, aside, StandardCopyOption.ATOMIC_MOVE);
            LOG.error("metadata journal entry {} cannot be read and is set aside as {}: {}", file, aside, e.toString());
        }
    }

    static String fileName(JournalEntry entry) {
        return "%020d-%s.json".formatted(entry.sequence(), entry.id());
    }
}
