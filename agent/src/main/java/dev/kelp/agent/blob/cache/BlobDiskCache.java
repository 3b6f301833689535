package dev.kelp.agent.blob.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import dev.kelp.agent.blob.local.BoundedInputStream;
import dev.kelp.agent.encryption.BlobEncryption;
import dev.kelp.agent.fallback.DurableFiles;
import dev.kelp.agent.fallback.FallbackVolume;
import dev.kelp.agent.object.ContentHash;
import dev.kelp.agent.object.ObjectKeys;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies of blobs that live on SeaweedFS, kept on the fallback volume at
 * {@code cache/<bucket>/<aa>/<bb>/<sha256>} so that a read of them costs a local file read
 * instead of a SeaweedFS round trip, and still succeeds while SeaweedFS is out of reach.
 * A copy comes from a write (the staged body, hard-linked once SeaweedFS has it: no byte
 * written twice) or from a whole read from SeaweedFS (teed to a file as it is served, kept
 * only when its SHA-256 matches, checked on a thread of its own after the read). Copies being
 * made or checked hold at most a {@value #IN_MAKING_SHARE}th of the cache's size (past that a
 * read is not copied) and count against the fallback limit like kept ones; a write that needs
 * their room cancels them. Blobs are content-addressed, so a copy is never stale; the
 * object's metadata, looked up first as always, decides which blob a read wants.
 *
 * <p>Nothing here is durable or needs to be: copies are not fsync'd, and every start empties
 * the cache, so a copy cut short by a crash is never served. Its bytes count against the
 * fallback volume's limit and give way to writes ({@link FallbackVolume.Sheddable}); which
 * copies stay is Caffeine's choice (size-bounded, W-TinyLFU). With encryption at rest on the
 * cache stays off: its copies would be plaintext on disk.
 */
@Singleton
public class BlobDiskCache implements FallbackVolume.Sheddable {

    private static final Logger LOG = LoggerFactory.getLogger(BlobDiskCache.class);
    /** Caffeine weighs entries in ints; KiB units keep a 5 GiB object in range. */
    private static final int WEIGHT_UNIT = 1024;
    /** A copy larger than this share of the cache would push out too much to be worth it. */
    private static final int LARGEST_SHARE = 8;
    /** Copies being made by reads or waiting for their SHA-256 check hold at most this share of the cache. */
    static final int IN_MAKING_SHARE = 4;

    private final FallbackVolume volume;
    private final Path root;
    private final Path filling;
    private final long maxBytes;
    private final Cache<Entry, Long> index;
    private final AtomicLong bytes = new AtomicLong();
    private final Counter hits;
    private final Counter misses;
    private final Counter fills;
    private final Counter rejected;
    private final Executor verifier;
    /** Bytes of copies in the making: reserved when the read starts, until admitted or dropped. */
    private final AtomicLong inMaking = new AtomicLong();
    private final Set<InMaking> making = ConcurrentHashMap.newKeySet();

    private record Entry(String bucket, ContentHash hash) {
    }

    /** The room a copy in the making holds, given back exactly once: admitted, dropped or cancelled. */
    private final class InMaking {
        private final long size;
        private final AtomicBoolean held = new AtomicBoolean(true);

        InMaking(long size) {
            this.size = size;
        }

        boolean held() {
            return held.get();
        }

        /** @return false when it was given back already (a write cancelled it) */
        boolean release() {
            if (!held.compareAndSet(true, false)) {
                return false;
            }
            inMaking.addAndGet(-size);
            making.remove(this);
            return true;
        }
    }

    /** A cache that keeps nothing, for a service built without one (unit tests, tools). */
    public static BlobDiskCache off() {
        return new BlobDiskCache(null, 0, new SimpleMeterRegistry(), Runnable::run);
    }

    @Inject
    public BlobDiskCache(FallbackVolume volume, DiskCacheConfig config, BlobEncryption encryption, MeterRegistry meters) {
        this(volume, config, encryption, meters, Executors.newSingleThreadExecutor(Thread.ofPlatform().name("kelp-cache-verify").daemon().factory()));
    }

    /** @param verifier where the SHA-256 of a copy made by a read is checked */
    BlobDiskCache(FallbackVolume volume, DiskCacheConfig config, BlobEncryption encryption, MeterRegistry meters, Executor verifier) {
        this(volume, encryption.encryptsWrites() || encryption.readsEncrypted() ? 0 : config.maxBytes(), meters, verifier);
        emptyAtStart();
        if (maxBytes > 0) {
            volume.shedsInto(this);
            LOG.info("Disk cache at {}: up to {} bytes, copies up to {} bytes each", root, maxBytes, largest());
        } else if (config.maxBytes() > 0) {
            LOG.info("Disk cache off: encryption at rest is on, and the cache's copies would be plaintext");
        }
    }

    private BlobDiskCache(FallbackVolume volume, long maxBytes, MeterRegistry meters, Executor verifier) {
        this.volume = volume;
        this.verifier = verifier;
        this.root = volume == null ? null : volume.cacheDir();
        this.filling = root == null ? null : root.resolve("filling");
        this.maxBytes = maxBytes;
        this.index = Caffeine.newBuilder()
            .maximumWeight(Math.max(1, maxBytes / WEIGHT_UNIT))
            .<Entry, Long>weigher((entry, size) -> (int) Math.min(Integer.MAX_VALUE, Math.ceilDiv(size, WEIGHT_UNIT)))
            // On the thread that removed it, so the bytes are free when shed() returns.
            .executor(Runnable::run)
            .removalListener(this::removed)
            .build();
        this.hits = meters.counter("kelp.cache.disk.hits");
        this.misses = meters.counter("kelp.cache.disk.misses");
        this.fills = meters.counter("kelp.cache.disk.fills");
        this.rejected = meters.counter("kelp.cache.disk.rejected");
        Gauge.builder("kelp.cache.disk.bytes", bytes, AtomicLong::get).baseUnit("bytes").register(meters);
    }

    public boolean enabled() {
        return maxBytes > 0;
    }

    /** Bytes the cache holds now, copies in the making included. */
    @Override
    public long bytes() {
        return bytes.get() + inMaking.get();
    }

    /**
     * Drops the least valued copies until {@code wanted} bytes are free, then, if that was not
     * enough, cancels copies in the making (their reads go on, uncopied).
     */
    @Override
    public void shed(long wanted) {
        long target = Math.max(0, bytes() - wanted);
        var eviction = index.policy().eviction().orElseThrow();
        while (bytes() > target) {
            Map<Entry, Long> coldest = eviction.coldest(64);
            if (coldest.isEmpty()) {
                break;
            }
            for (Entry entry : coldest.keySet()) {
                index.invalidate(entry);
                if (bytes() <= target) {
                    return;
                }
            }
        }
        for (InMaking copy : List.copyOf(making)) {
            if (bytes() <= target) {
                return;
            }
            copy.release();
        }
    }

    /**
     * The cached copy, {@code length} bytes from {@code offset} ({@code length < 0}: to the
     * end); empty when there is none of the {@code size} the metadata says.
     */
    public Optional<InputStream> open(String bucket, ContentHash hash, long size, long offset, long length) {
        if (!enabled()) {
            return Optional.empty();
        }
        var entry = new Entry(bucket, hash);
        if (index.getIfPresent(entry) == null) {
            misses.increment();
            return Optional.empty();
        }
        FileChannel channel;
        try {
            channel = FileChannel.open(pathOf(entry), StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            index.invalidate(entry);
            misses.increment();
            return Optional.empty();
        } catch (IOException e) {
            LOG.warn("cannot read the cached copy of blob {} in bucket {}, reading it from SeaweedFS: {}", hash, bucket, e.toString());
            index.invalidate(entry);
            misses.increment();
            return Optional.empty();
        }
        try {
            if (channel.size() != size || offset > size) {
                // Never expected (copies are checked on the way in); a wrong copy is dropped, not served.
                closeQuietly(channel);
                index.invalidate(entry);
                misses.increment();
                return Optional.empty();
            }
            channel.position(offset);
            hits.increment();
            long available = size - offset;
            return Optional.of(new BoundedInputStream(Channels.newInputStream(channel), length < 0 ? available : Math.min(length, available)));
        } catch (IOException e) {
            closeQuietly(channel);
            index.invalidate(entry);
            misses.increment();
            return Optional.empty();
        }
    }

    /**
     * Keeps a staged body SeaweedFS has just stored as the cached copy of its blob, by a hard
     * link: the staging file may be closed (deleted) as usual afterwards. Best effort: a copy
     * that cannot be made is simply not kept.
     */
    public void keep(String bucket, ContentHash hash, Path staged, long size) {
        var entry = new Entry(bucket, hash);
        if (!admits(size) || index.getIfPresent(entry) != null) {
            return;
        }
        Path target = pathOf(entry);
        try {
            Files.createDirectories(target.getParent());
            Files.createLink(target, staged);
        } catch (FileAlreadyExistsException e) {
            return;
        } catch (IOException | UnsupportedOperationException e) {
            LOG.debug("not caching blob {}: {}", hash, e.toString());
            return;
        }
        admitted(entry, size);
    }

    /**
     * {@code source}, the whole content of a blob read from SeaweedFS, teed into a new cached
     * copy as it is read; the copy is kept only if the read reaches the end with the expected
     * size and SHA-256. The reader sees the same bytes and the same failures as from
     * {@code source} itself: a failing copy is dropped, never the read.
     */
    public InputStream filling(String bucket, ContentHash hash, long size, InputStream source) {
        var entry = new Entry(bucket, hash);
        if (!admits(size) || index.getIfPresent(entry) != null) {
            return source;
        }
        if (inMaking.addAndGet(size) > maxBytes / IN_MAKING_SHARE) {
            inMaking.addAndGet(-size);
            return source;
        }
        var copy = new InMaking(size);
        making.add(copy);
        Path temp;
        FileChannel out;
        try {
            Files.createDirectories(filling);
            temp = Files.createTempFile(filling, hash.hex().substring(0, 16) + "-", DurableFiles.TEMP_SUFFIX);
            out = FileChannel.open(temp, StandardOpenOption.WRITE);
        } catch (IOException e) {
            copy.release();
            LOG.debug("not caching blob {}: {}", hash, e.toString());
            return source;
        }
        return new CacheFill(source, out, temp, size, file -> verifyThenCommit(entry, file, copy), () -> !copy.held(), copy::release);
    }

    @PreDestroy
    void stopVerifying() {
        if (verifier instanceof ExecutorService service) {
            service.shutdownNow();
        }
    }

    private void verifyThenCommit(Entry entry, Path file, InMaking copy) {
        try {
            verifier.execute(() -> {
                try {
                    if (!hashOf(file).equals(entry.hash())) {
                        DurableFiles.deleteQuietly(file);
                        copy.release();
                        rejected.increment();
                        LOG.warn("not caching blob {} of bucket {}: the bytes read from SeaweedFS do not hash to it", entry.hash(), entry.bucket());
                    } else if (copy.release()) {
                        commit(entry, file, copy.size);
                    } else {
                        DurableFiles.deleteQuietly(file); // a write took its room back meanwhile
                    }
                } catch (IOException | RuntimeException e) {
                    DurableFiles.deleteQuietly(file);
                    copy.release();
                    LOG.debug("not caching blob {}: {}", entry.hash(), e.toString());
                }
            });
        } catch (RejectedExecutionException stopping) {
            DurableFiles.deleteQuietly(file);
            copy.release();
        }
    }

    private static ContentHash hashOf(Path file) throws IOException {
        MessageDigest digest = ContentHash.newDigest();
        ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            while (channel.read(buffer.clear()) >= 0) {
                digest.update(buffer.flip());
            }
        }
        return ContentHash.of(digest);
    }

    /** Drops the copy of a blob whose bytes are gone (reclaimed): its room is better used by others. */
    public void forget(String bucket, ContentHash hash) {
        if (enabled()) {
            index.invalidate(new Entry(bucket, hash));
        }
    }

    private void commit(Entry entry, Path copy, long size) {
        Path target = pathOf(entry);
        try {
            Files.createDirectories(target.getParent());
            Files.move(copy, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            DurableFiles.deleteQuietly(copy);
            LOG.debug("not caching blob {}: {}", entry.hash(), e.toString());
            return;
        }
        admitted(entry, size);
    }

    private void admitted(Entry entry, long size) {
        if (index.asMap().putIfAbsent(entry, size) == null) {
            bytes.addAndGet(size);
            fills.increment();
        }
    }

    private boolean admits(long size) {
        return enabled() && size <= largest() && volume.roomToCache(size);
    }

    private long largest() {
        return maxBytes / LARGEST_SHARE;
    }

    private void removed(Entry entry, Long size, RemovalCause cause) {
        if (cause == RemovalCause.REPLACED || entry == null || size == null) {
            return;
        }
        DurableFiles.deleteQuietly(pathOf(entry));
        bytes.addAndGet(-size);
    }

    private Path pathOf(Entry entry) {
        return root.resolve(ObjectKeys.requireValidBucket(entry.bucket())).resolve(entry.hash().shardedPath());
    }

    private void emptyAtStart() {
        if (!Files.exists(root)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    if (!dir.equals(root)) {
                        Files.deleteIfExists(dir);
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot empty the disk cache at " + root, e);
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // only reading
        }
    }
}
