package dev.kelp.agent.blob.local;

import dev.kelp.agent.blob.BlobNotFoundException;
import dev.kelp.agent.blob.BlobStore;
import dev.kelp.agent.fallback.DurableFiles;
import dev.kelp.agent.fallback.FallbackVolume;
import dev.kelp.agent.object.ContentHash;
import dev.kelp.agent.object.ObjectKeys;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Blobs on the fallback volume, at {@code blobs/<bucket>/<aa>/<bb>/<sha256>}. A blob becomes
 * visible under its final name only once its bytes are on disk (fsync, then atomic rename,
 * then fsync of the directory), so a crash leaves either the whole blob or a temp file that
 * the next start removes. The caller's file is hard-linked rather than copied when the
 * filesystem allows it: a staged body then becomes a blob without being written twice. That
 * relies on callers never writing to a file after handing it over, which staged bodies
 * never are.
 */
@Singleton
@Named("local")
public class LocalBlobStore implements BlobStore {

    private static final Logger LOG = LoggerFactory.getLogger(LocalBlobStore.class);
    private static final Pattern BLOB_NAME = Pattern.compile("[0-9a-f]{64}");

    private final FallbackVolume volume;
    private final Path root;
    // put and delete of one blob must not interleave, or the byte count drifts; striped so
    // that different blobs are written in parallel.
    private final Object[] locks = new Object[64];

    public LocalBlobStore(FallbackVolume volume) {
        this.volume = volume;
        this.root = volume.blobsDir();
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new Object();
        }
        try {
            DurableFiles.createDirectories(root);
            var census = takeCensus();
            volume.storedFound(census.bytes);
            LOG.info("Fallback blob store at {}: {} blobs, {} bytes{}", root, census.blobs, census.bytes,
                census.tempFiles > 0 ? ", removed " + census.tempFiles + " unfinished writes" : "");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the fallback blob store at " + root, e);
        }
    }

    /** Bytes of all blobs stored, the figure {@code kelp.fallback.max-bytes} limits. */
    public long bytesStored() {
        return volume.storedBytes();
    }

    /**
     * The file holding a blob, for uploading it as it is (the sync drain). It may be released
     * at any time after the upload has been verified, so a reader must expect it to vanish.
     */
    public Path locate(String bucket, ContentHash hash) {
        Path path = pathOf(bucket, hash);
        if (!Files.isRegularFile(path)) {
            throw new BlobNotFoundException(bucket, hash);
        }
        return path;
    }

    @Override
    public boolean exists(String bucket, ContentHash hash) {
        return Files.isRegularFile(pathOf(bucket, hash));
    }

    @Override
    public void put(String bucket, ContentHash hash, Path file, long size) {
        Path target = pathOf(bucket, hash);
        synchronized (lockOf(target)) {
            if (Files.isRegularFile(target)) {
                return;
            }
            requireSize(file, size);
            volume.claimStored(size);
            Path temp = target.resolveSibling(hash.hex() + DurableFiles.TEMP_SUFFIX);
            boolean stored = false;
            try {
                DurableFiles.createDirectories(target.getParent());
                Files.deleteIfExists(temp);
                linkOrCopy(file, temp, size);
                DurableFiles.forceFile(temp);
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
                DurableFiles.forceDirectory(target.getParent());
                stored = true;
            } catch (IOException e) {
                throw DurableFiles.writeFailure(e, "storing blob " + hash + " in bucket " + bucket);
            } finally {
                if (!stored) {
                    // The blob did not exist before and the caller is told it failed: any
                    // name it got, even a complete one, goes, so the count stays true.
                    DurableFiles.deleteQuietly(temp);
                    DurableFiles.deleteQuietly(target);
                    volume.releaseStored(size);
                }
            }
        }
    }

    @Override
    public InputStream open(String bucket, ContentHash hash, long offset, long length) {
        if (offset < 0) {
            throw new IllegalArgumentException("offset must not be negative: " + offset);
        }
        Path path = pathOf(bucket, hash);
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new BlobNotFoundException(bucket, hash);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read blob " + hash + " in bucket " + bucket, e);
        }
        try {
            long size = channel.size();
            if (offset > size) {
                throw new IllegalArgumentException("offset %d is past the end of blob %s (%d bytes)".formatted(offset, hash, size));
            }
            long available = size - offset;
            channel.position(offset);
            return new BoundedInputStream(Channels.newInputStream(channel), length < 0 ? available : Math.min(length, available));
        } catch (IOException e) {
            closeQuietly(channel);
            throw new UncheckedIOException("cannot read blob " + hash + " in bucket " + bucket, e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    @Override
    public void delete(String bucket, ContentHash hash) {
        Path target = pathOf(bucket, hash);
        synchronized (lockOf(target)) {
            try {
                long size = Files.size(target);
                Files.delete(target);
                volume.releaseStored(size);
                // Made durable so a crash cannot bring back a blob nothing refers to any more.
                DurableFiles.forceDirectory(target.getParent());
            } catch (NoSuchFileException e) {
                // Deleting an absent blob is a no-op.
            } catch (IOException e) {
                throw new UncheckedIOException("cannot delete blob " + hash + " in bucket " + bucket, e);
            }
        }
    }

    private Path pathOf(String bucket, ContentHash hash) {
        // Validated here too: the bucket name becomes a directory name.
        return root.resolve(ObjectKeys.requireValidBucket(bucket)).resolve(hash.shardedPath());
    }

    private Object lockOf(Path target) {
        return locks[Math.floorMod(target.hashCode(), locks.length)];
    }

    private static void requireSize(Path file, long size) {
        try {
            long actual = Files.size(file);
            if (actual != size) {
                throw new IllegalArgumentException("%s holds %d bytes, not the %d declared".formatted(file, actual, size));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private void linkOrCopy(Path file, Path temp, long size) throws IOException {
        try {
            Files.createLink(temp, file);
            return;
        } catch (UnsupportedOperationException | FileSystemException e) {
            // Another filesystem, or one without hard links: fall through to a copy.
            LOG.debug("Copying {} instead of linking it: {}", file, e.toString());
        }
        volume.requireFreeSpace(size);
        Files.copy(file, temp);
    }

    private Census takeCensus() throws IOException {
        var census = new Census();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                if (BLOB_NAME.matcher(file.getFileName().toString()).matches()) {
                    census.blobs++;
                    census.bytes += attributes.size();
                } else {
                    // Only this store writes here; any other name is a put cut short.
                    Files.deleteIfExists(file);
                    census.tempFiles++;
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return census;
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Already failing.
        }
    }

    private static final class Census {
        long blobs;
        long bytes;
        long tempFiles;
    }
}
