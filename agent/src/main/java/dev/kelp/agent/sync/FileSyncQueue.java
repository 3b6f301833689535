package dev.kelp.agent.sync;

import dev.kelp.agent.fallback.DurableFiles;
import dev.kelp.agent.fallback.FallbackVolume;
import dev.kelp.agent.object.ContentHash;
import dev.kelp.agent.object.ObjectKeys;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sync queue as files in {@code sync-queue/} on the fallback volume: one per entry, named
 * by its sequence number (20 digits, so names sort in queue order), holding a few
 * {@code key=value} lines. Each is fsync'd and atomically renamed into place before
 * {@link #enqueue} returns, so an acknowledged fallback write always has its entry on disk.
 * The files are read once at start; after that an in-memory index answers every question.
 */
@Singleton
public class FileSyncQueue implements SyncQueue {

    private static final Logger LOG = LoggerFactory.getLogger(FileSyncQueue.class);
    private static final Pattern ENTRY_NAME = Pattern.compile("\\d{20}");
    private static final String CORRUPT_SUFFIX = ".corrupt";

    private final Path dir;
    private final Clock clock;
    private final ConcurrentSkipListMap<Long, SyncEntry> bySequence = new ConcurrentSkipListMap<>();
    private final Map<BlobRef, SyncEntry> byBlob = new ConcurrentHashMap<>();
    private final AtomicLong lastSequence = new AtomicLong();
    private final AtomicLong pendingBytes = new AtomicLong();
    // Enqueue and complete of one blob must not interleave (that is what makes dedup exact);
    // striped so that entries for different blobs are fsync'd in parallel.
    private final Object[] locks = new Object[64];

    @Inject
    public FileSyncQueue(FallbackVolume volume) {
        this(volume, Clock.systemUTC());
    }

    FileSyncQueue(FallbackVolume volume, Clock clock) {
        this.dir = volume.syncQueueDir();
        this.clock = clock;
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new Object();
        }
        try {
            DurableFiles.createDirectories(dir);
            load();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the sync queue at " + dir, e);
        }
        if (!bySequence.isEmpty()) {
            LOG.info("Sync queue at {}: {} entries ({} bytes) still to sync, resuming", dir, bySequence.size(), pendingBytes.get());
        }
    }

    @Override
    public SyncEntry enqueue(String bucket, ContentHash hash, long size) {
        ObjectKeys.requireValidBucket(bucket);
        if (hash == null) {
            throw new IllegalArgumentException("hash must not be null");
        }
        if (size < 0) {
            throw new IllegalArgumentException("size must not be negative: " + size);
        }
        var blob = new BlobRef(bucket, hash);
        synchronized (lockOf(blob)) {
            SyncEntry pending = byBlob.get(blob);
            if (pending != null) {
                return pending;
            }
            var entry = new SyncEntry(lastSequence.incrementAndGet(), bucket, hash, size, Instant.ofEpochMilli(clock.millis()));
            try {
                DurableFiles.writeAtomically(fileOf(entry.sequence()), format(entry));
            } catch (IOException e) {
                throw DurableFiles.writeFailure(e, "writing sync queue entry " + entry.sequence());
            }
            add(entry);
            return entry;
        }
    }

    @Override
    public List<SyncEntry> after(long sequence, int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative: " + limit);
        }
        return bySequence.tailMap(sequence, false).values().stream().limit(limit).toList();
    }

    @Override
    public void complete(SyncEntry entry) {
        var blob = new BlobRef(entry.bucket(), entry.hash());
        synchronized (lockOf(blob)) {
            SyncEntry current = bySequence.get(entry.sequence());
            if (current == null || !current.bucket().equals(entry.bucket()) || !current.hash().equals(entry.hash())) {
                return;
            }
            try {
                // Not fsync'd: an entry a crash brings back only makes the next drain look for its
                // blob, find it released (that delete is durable before this one is made) and
                // complete it again. The fsync cost a third of a small blob's drain.
                Files.deleteIfExists(fileOf(entry.sequence()));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot remove sync queue entry " + entry.sequence(), e);
            }
            bySequence.remove(current.sequence());
            byBlob.remove(blob, current);
            pendingBytes.addAndGet(-current.size());
        }
    }

    @Override
    public Pending pending() {
        var oldest = bySequence.firstEntry();
        if (oldest == null) {
            return new Pending(0, 0, Duration.ZERO);
        }
        Duration age = Duration.between(oldest.getValue().enqueuedAt(), clock.instant());
        return new Pending(bySequence.size(), pendingBytes.get(), age.isNegative() ? Duration.ZERO : age);
    }

    private void load() throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (name.endsWith(DurableFiles.TEMP_SUFFIX)) {
                    // An entry whose enqueue never returned: it was never acknowledged.
                    Files.deleteIfExists(file);
                } else if (ENTRY_NAME.matcher(name).matches()) {
                    long sequence = Long.parseLong(name);
                    lastSequence.accumulateAndGet(sequence, Math::max);
                    loadEntry(file, sequence);
                } else if (isSetAside(name)) {
                    // Its number stays taken, so the file a person looks at is never confused with a new one.
                    lastSequence.accumulateAndGet(Long.parseLong(name.substring(0, 20)), Math::max);
                }
            }
        }
        DurableFiles.forceDirectory(dir);
    }

    private static boolean isSetAside(String name) {
        return name.length() == 20 + CORRUPT_SUFFIX.length() && name.endsWith(CORRUPT_SUFFIX)
            && ENTRY_NAME.matcher(name.substring(0, 20)).matches();
    }

    private void loadEntry(Path file, long sequence) throws IOException {
        SyncEntry entry;
        try {
            entry = parse(sequence, Files.readString(file, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            // Kept, not deleted: it may be the only trace of a blob that still needs syncing.
            Path aside = file.resolveSibling(file.getFileName() + CORRUPT_SUFFIX);
            Files.move(file, aside);
            LOG.error("Sync queue entry {} is unreadable ({}); moved aside to {} for a person to look at", file, e.getMessage(), aside);
            return;
        }
        SyncEntry earlier = byBlob.get(new BlobRef(entry.bucket(), entry.hash()));
        if (earlier != null) {
            // The same blob twice: one sync serves both.
            SyncEntry later = earlier.sequence() < entry.sequence() ? entry : earlier;
            Files.deleteIfExists(fileOf(later.sequence()));
            if (later == entry) {
                return;
            }
            bySequence.remove(earlier.sequence());
            pendingBytes.addAndGet(-earlier.size());
        }
        add(entry);
    }

    private void add(SyncEntry entry) {
        bySequence.put(entry.sequence(), entry);
        byBlob.put(new BlobRef(entry.bucket(), entry.hash()), entry);
        pendingBytes.addAndGet(entry.size());
    }

    private Path fileOf(long sequence) {
        return dir.resolve("%020d".formatted(sequence));
    }

    private Object lockOf(BlobRef blob) {
        return locks[Math.floorMod(blob.hashCode(), locks.length)];
    }

    static byte[] format(SyncEntry entry) {
        return ("bucket=" + entry.bucket() + "\n"
            + "hash=" + entry.hash().hex() + "\n"
            + "size=" + entry.size() + "\n"
            + "enqueuedAt=" + entry.enqueuedAt().toEpochMilli() + "\n").getBytes(StandardCharsets.UTF_8);
    }

    static SyncEntry parse(long sequence, String text) {
        Map<String, String> fields = new HashMap<>();
        for (String line : text.split("\n")) {
            int equals = line.indexOf('=');
            if (equals > 0) {
                fields.put(line.substring(0, equals).strip(), line.substring(equals + 1).strip());
            }
        }
        try {
            long size = Long.parseLong(required(fields, "size"));
            if (size < 0) {
                throw new IllegalArgumentException("negative size " + size);
            }
            return new SyncEntry(sequence,
                ObjectKeys.requireValidBucket(required(fields, "bucket")),
                new ContentHash(required(fields, "hash")),
                size,
                Instant.ofEpochMilli(Long.parseLong(required(fields, "enqueuedAt"))));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private static String required(Map<String, String> fields, String name) {
        String value = fields.get(name);
        if (value == null) {
            throw new IllegalArgumentException("no " + name + " line");
        }
        return value;
    }

    private record BlobRef(String bucket, ContentHash hash) {
    }
}
