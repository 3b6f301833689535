package dev.kelp.agent.fallback;

import dev.kelp.agent.blob.InsufficientStorageException;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The fallback volume: its directory layout, and the space its users may take. Three kinds of
 * bytes count against {@link FallbackConfig#maxBytes()}: blobs stored (which stay until they
 * are synced), request bodies being staged (which the volume holds in FULL mode too, and
 * which would get the pod evicted just the same if they overflowed an emptyDir limit), and
 * the parts of open multipart uploads (which stay until the upload completes or is aborted).
 * Independently, every write leaves {@link FallbackConfig#reserveBytes()} free on the disk.
 */
@Singleton
public class FallbackVolume {

    private final FallbackConfig config;
    private final Path root;
    private final FileStore fileStore;
    private long storedBytes;
    private long stagingBytes;
    private long partBytes;

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
    public synchronized void claimStaging(long bytes) {
        requireWithinLimit(storedBytes + stagingBytes + partBytes + bytes, "staging the request body");
        requireFreeSpace(bytes);
        stagingBytes += bytes;
    }

    public synchronized void releaseStaging(long bytes) {
        stagingBytes -= bytes;
    }

    /**
     * Takes room for a blob of {@code bytes}, or throws 507 and takes nothing. Staged bodies
     * do not count here: the blob usually is one, about to be linked rather than copied.
     */
    public synchronized void claimStored(long bytes) {
        requireWithinLimit(storedBytes + partBytes + bytes, "storing the blob");
        requireFreeSpace(0);
        storedBytes += bytes;
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

    /** Throws 507 unless writing {@code bytes} more would leave the reserve free on the disk. */
    public void requireFreeSpace(long bytes) {
        long usable;
        try {
            usable = fileStore.getUsableSpace();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the free space of " + root, e);
        }
        if (usable - bytes < config.reserveBytes()) {
            throw new InsufficientStorageException("the fallback volume is full: %d bytes free, %d needed, %d kept in reserve"
                .formatted(usable, bytes, config.reserveBytes()));
        }
    }

    private void requireWithinLimit(long total, String what) {
        if (config.maxBytes() > 0 && total > config.maxBytes()) {
            throw new InsufficientStorageException("the fallback volume is at its limit of %d bytes (%d stored, %d being staged, %d in upload parts): %s would take it to %d"
                .formatted(config.maxBytes(), storedBytes, stagingBytes, partBytes, what, total));
        }
    }
}
