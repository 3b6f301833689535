package dev.kelp.agent.fallback;

import dev.kelp.agent.blob.InsufficientStorageException;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongSupplier;

/**
 * The fallback volume: its directory layout, and the space its users may take. Three kinds of
 * bytes count against {@link FallbackConfig#maxBytes()}: blobs stored (which stay until they
 * are synced), request bodies being staged (which the volume holds in FULL mode too, and
 * which would get the pod evicted just the same if they overflowed an emptyDir limit), and
 * the parts of open multipart uploads (which stay until the upload completes or is aborted).
 * Independently, every write leaves {@link FallbackConfig#reserveBytes()} free on the disk.
 *
 * <p>A fourth kind, copies kept to serve reads ({@link Sheddable}: the disk cache), counts
 * against the same limit but gives way: a claim that would not fit otherwise first has the
 * cache drop what it must, so caching never turns a write into a 507.
 */
@Singleton
public class FallbackVolume {

    private final FallbackConfig config;
    private final Path root;
    private final FileStore fileStore;
    private long storedBytes;
    private long stagingBytes;
    private long partBytes;
    private volatile Sheddable sheddable = Sheddable.NONE;

    /** Bytes on the volume that may be deleted whenever a write needs their room. */
    public interface Sheddable {

        Sheddable NONE = new Sheddable() {
            @Override
            public long bytes() {
                return 0;
            }

            @Override
            public void shed(long bytes) {
            }
        };

        /** Bytes held now; read under the volume's lock, so it must not take one of its own. */
        long bytes();

        /** Deletes at least {@code bytes} (or all it holds). Called without the volume's lock held. */
        void shed(long bytes);
    }

    public FallbackVolume(FallbackConfig config) {
        this.config = config;
        this.root = config.dir().toAbsolutePath().normalize();
        try {
            DurableFiles.createDirectories(root);
            this.fileStore = Files.getFileStore(root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use " + root + " as the fallback volume", e);
        }
    }

    public Path root() {
        return root;
    }

    /** Request bodies on their way in; anything here at startup is from a killed upload. */
    public Path stagingDir() {
        return root.resolve("staging");
    }

    /** Content-addressed blobs: {@code <bucket>/<aa>/<bb>/<sha256>}. */
    public Path blobsDir() {
        return root.resolve("blobs");
    }

    /** One file per blob still to be copied to SeaweedFS, named by its sequence number. */
    public Path syncQueueDir() {
        return root.resolve("sync-queue");
    }

    /** Copies of blobs kept to serve reads: emptied at every start, given up whenever a write needs room. */
    public Path cacheDir() {
        return root.resolve("cache");
    }

    /** Lets {@code space} count against the limit and give way to writes (one at most: the disk cache). */
    public void shedsInto(Sheddable space) {
        this.sheddable = space;
    }

    /**
     * Whether {@code bytes} more cached would still leave the limit unreached and twice the
     * reserve free on the disk: the cache takes only room that writes are not about to need.
     */
    public synchronized boolean roomToCache(long bytes) {
        long total = storedBytes + stagingBytes + partBytes + sheddable.bytes() + bytes;
        return (config.maxBytes() == 0 || total <= config.maxBytes()) && usableSpace() - bytes >= 2 * config.reserveBytes();
    }

    /** Open multipart uploads: a directory each, holding its manifest and its parts. */
    public Path uploadsDir() {
        return root.resolve("uploads");
    }

    public synchronized long storedBytes() {
        return storedBytes;
    }

    public synchronized long stagingBytes() {
        return stagingBytes;
    }

    public synchronized long partBytes() {
        return partBytes;
    }

    /** Takes room for {@code bytes} more of a body being staged, or throws 507 and takes nothing. */
    public void claimStaging(long bytes) {
        if (!tryClaimStaging(bytes)) {
            makeRoom(() -> storedBytes + stagingBytes + partBytes + bytes, bytes);
            synchronized (this) {
                requireWithinLimit(storedBytes + stagingBytes + partBytes + bytes, "staging the request body");
                requireFreeSpaceNow(bytes);
                stagingBytes += bytes;
            }
        }
    }

    private synchronized boolean tryClaimStaging(long bytes) {
        if (fits(storedBytes + stagingBytes + partBytes + bytes, bytes)) {
            stagingBytes += bytes;
            return true;
        }
        return false;
    }

    public synchronized void releaseStaging(long bytes) {
        stagingBytes -= bytes;
    }

    /**
     * Takes room for a blob of {@code bytes}, or throws 507 and takes nothing. Staged bodies
     * do not count here: the blob usually is one, about to be linked rather than copied.
     */
    public void claimStored(long bytes) {
        if (!tryClaimStored(bytes)) {
            makeRoom(() -> storedBytes + partBytes + bytes, 0);
            synchronized (this) {
                requireWithinLimit(storedBytes + partBytes + bytes, "storing the blob");
                requireFreeSpaceNow(0);
                storedBytes += bytes;
            }
        }
    }

    private synchronized boolean tryClaimStored(long bytes) {
        if (fits(storedBytes + partBytes + bytes, 0)) {
            storedBytes += bytes;
            return true;
        }
        return false;
    }

    public synchronized void releaseStored(long bytes) {
        storedBytes -= bytes;
    }

    /**
     * A staged body of {@code bytes} became a multipart part: its room, claimed (and checked
     * against the limits) while it was staged, now belongs to the part. One step, so the bytes
     * are never counted twice nor left uncounted in between. The caller has taken the file
     * away from its {@link dev.kelp.agent.blob.StagedBlob}, which therefore releases nothing.
     */
    public synchronized void stagingBecomesPart(long bytes) {
        stagingBytes -= bytes;
        partBytes += bytes;
    }

    public synchronized void releasePart(long bytes) {
        partBytes -= bytes;
    }

    /** Counts parts found on disk at startup: they are already there, so no limit applies. */
    public synchronized void partsFound(long bytes) {
        partBytes += bytes;
    }

    /** Counts blobs found on disk at startup: they are already there, so no limit applies. */
    public synchronized void storedFound(long bytes) {
        storedBytes += bytes;
    }

    /** Throws 507 unless writing {@code bytes} more would leave the reserve free on the disk (the cache giving way first). */
    public void requireFreeSpace(long bytes) {
        if (usableSpace() - bytes < config.reserveBytes()) {
            makeRoom(() -> 0, bytes);
            requireFreeSpaceNow(bytes);
        }
    }

    private void requireFreeSpaceNow(long bytes) {
        long usable = usableSpace();
        if (usable - bytes < config.reserveBytes()) {
            throw new InsufficientStorageException("the fallback volume is full: %d bytes free, %d needed, %d kept in reserve"
                .formatted(usable, bytes, config.reserveBytes()));
        }
    }

    private boolean fits(long counted, long writing) {
        return (config.maxBytes() == 0 || counted + sheddable.bytes() <= config.maxBytes())
            && usableSpace() - writing >= config.reserveBytes();
    }

    /**
     * Has the cache give up what a claim needs: its excess over the limit, and what the disk
     * lacks to keep the reserve. Outside the volume's lock, which deleting files must not hold.
     */
    private void makeRoom(LongSupplier counted, long writing) {
        Sheddable space = sheddable;
        if (space.bytes() == 0) {
            return;
        }
        long overLimit;
        synchronized (this) {
            overLimit = config.maxBytes() == 0 ? 0 : counted.getAsLong() + space.bytes() - config.maxBytes();
        }
        long shortOnDisk = config.reserveBytes() + writing - usableSpace();
        long needed = Math.max(overLimit, shortOnDisk);
        if (needed > 0) {
            space.shed(needed);
        }
    }

    private long usableSpace() {
        try {
            return fileStore.getUsableSpace();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the free space of " + root, e);
        }
    }

    private void requireWithinLimit(long total, String what) {
        // Whatever the cache still holds after giving way counts too (a read filling it meanwhile).
        long cached = sheddable.bytes();
        total += cached;
        if (config.maxBytes() > 0 && total > config.maxBytes()) {
            throw new InsufficientStorageException("the fallback volume is at its limit of %d bytes (%d stored, %d being staged, %d in upload parts, %d cached): %s would take it to %d"
                .formatted(config.maxBytes(), storedBytes, stagingBytes, partBytes, cached, what, total));
        }
    }
}
