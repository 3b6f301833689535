package dev.kelp.agent.blob.local;

import dev.kelp.agent.blob.BlobNotFoundException;
import dev.kelp.agent.blob.BlobStore;
import dev.kelp.agent.encryption.BlobEncryption;
import dev.kelp.agent.encryption.BlobIntegrityException;
import dev.kelp.agent.encryption.CorruptSegmentException;
import dev.kelp.agent.encryption.EncryptedSource;
import dev.kelp.agent.encryption.EncryptionKeyUnavailableException;
import dev.kelp.agent.encryption.KeyRecordStore;
import dev.kelp.agent.encryption.Sealing;
import dev.kelp.agent.fallback.DurableFiles;
import dev.kelp.agent.fallback.FallbackVolume;
import dev.kelp.agent.object.ContentHash;
import dev.kelp.agent.object.ObjectKeys;
import jakarta.inject.Inject;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
 *
 * <p>With encryption at rest on (docs/encryption.md) a blob is stored encrypted as
 * {@code <sha256>.enc} instead, so that its form is told by its name and never guessed from
 * its content; a re-wrapped data key lives at {@code blob-keys/<bucket>/<aa>/<bb>/<sha256>}.
 * Blobs stored before encryption was turned on stay plaintext under their old name and read
 * as before.
 */
@Singleton
@Named("local")
public class LocalBlobStore implements BlobStore, KeyRecordStore {

    private static final Logger LOG = LoggerFactory.getLogger(LocalBlobStore.class);
    private static final Pattern BLOB_NAME = Pattern.compile("[0-9a-f]{64}(" + Pattern.quote(BlobEncryption.ENCRYPTED_SUFFIX) + ")?");

    private final FallbackVolume volume;
    private final Path root;
    private final Path keysRoot;
    private final Path quarantineRoot;
    private final BlobEncryption encryption;
    // put and delete of one blob must not interleave, or the byte count drifts; striped so
    // that different blobs are written in parallel.
    private final Object[] locks = new Object[64];

    /** A store that neither encrypts nor decrypts, as before encryption existed. */
    public LocalBlobStore(FallbackVolume volume) {
        this(volume, BlobEncryption.disabled());
    }

    @Inject
    public LocalBlobStore(FallbackVolume volume, BlobEncryption encryption) {
        this.volume = volume;
        this.encryption = encryption;
        this.root = volume.blobsDir();
        this.keysRoot = root.resolveSibling("blob-keys");
        this.quarantineRoot = root.resolveSibling("quarantine");
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new Object();
        }
        try {
            DurableFiles.createDirectories(root);
            DurableFiles.createDirectories(keysRoot);
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
        return locateStored(bucket, hash).file();
    }

    /**
     * A blob as it is stored, for copying it as it is to SeaweedFS (the sync drain): the file,
     * whether it is encrypted, and its key record if a rotation wrote one. The encrypted form
     * is preferred when both exist (the same content, stored before and after encryption was
     * turned on).
     */
    public Stored locateStored(String bucket, ContentHash hash) {
        Path encrypted = encryptedPathOf(bucket, hash);
        if (Files.isRegularFile(encrypted)) {
            return new Stored(encrypted, true, override(bucket, hash));
        }
        Path path = pathOf(bucket, hash);
        if (!Files.isRegularFile(path)) {
            throw new BlobNotFoundException(bucket, hash);
        }
        return new Stored(path, false, Optional.empty());
    }

    /** A blob's file as stored, and what a copy of it needs to be read elsewhere. */
    public record Stored(Path file, boolean encrypted, Optional<byte[]> override) {
    }

    @Override
    public boolean exists(String bucket, ContentHash hash) {
        return Files.isRegularFile(pathOf(bucket, hash)) || Files.isRegularFile(encryptedPathOf(bucket, hash));
    }

    @Override
    public void put(String bucket, ContentHash hash, Path file, long size) {
        if (encryption.encryptsWrites()) {
            putEncrypted(bucket, hash, file, size);
            return;
        }
        Path target = pathOf(bucket, hash);
        synchronized (lockOf(target)) {
            if (exists(bucket, hash)) {
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

    private void putEncrypted(String bucket, ContentHash hash, Path file, long size) {
        Path plain = pathOf(bucket, hash);
        Path target = encryptedPathOf(bucket, hash);
        // Same lock as the plaintext name: both names of one blob are one blob to put and delete.
        synchronized (lockOf(plain)) {
            if (exists(bucket, hash)) {
                return;
            }
            requireSize(file, size);
            Sealing sealing = encryption.seal(bucket, hash, size);
            long stored = sealing.storedSize();
            volume.claimStored(stored);
            Path temp = target.resolveSibling(target.getFileName() + DurableFiles.TEMP_SUFFIX);
            boolean done = false;
            try {
                DurableFiles.createDirectories(target.getParent());
                Files.deleteIfExists(temp);
                volume.requireFreeSpace(stored);
                try (InputStream in = sealing.encrypt(Files.newInputStream(file));
                     var out = Files.newOutputStream(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    in.transferTo(out);
                }
                DurableFiles.forceFile(temp);
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
                DurableFiles.forceDirectory(target.getParent());
                done = true;
            } catch (IOException e) {
                throw DurableFiles.writeFailure(e, "storing encrypted blob " + hash + " in bucket " + bucket);
            } finally {
                if (!done) {
                    DurableFiles.deleteQuietly(temp);
                    DurableFiles.deleteQuietly(target);
                    volume.releaseStored(stored);
                }
            }
            encryption.sealed(sealing);
        }
    }

    @Override
    public InputStream open(String bucket, ContentHash hash, long offset, long length) {
        if (offset < 0) {
            throw new IllegalArgumentException("offset must not be negative: " + offset);
        }
        Path encrypted = encryptedPathOf(bucket, hash);
        if (encryption.readsEncrypted() && Files.isRegularFile(encrypted)) {
            return openEncrypted(bucket, hash, encrypted, offset, length);
        }
        Path path = pathOf(bucket, hash);
        if (!encryption.readsEncrypted() && !Files.isRegularFile(path) && Files.isRegularFile(encrypted)) {
            throw new EncryptionKeyUnavailableException(bucket, hash, "it is encrypted and no encryption key is configured"
                + " (kelp.encryption.key-dir or kelp.encryption.key)");
        }
        return openPlain(bucket, hash, path, offset, length);
    }

    private InputStream openEncrypted(String bucket, ContentHash hash, Path file, long offset, long length) {
        FileChannel channel;
        try {
            // One open file for the header and the content: a drain that releases the blob
            // meanwhile unlinks the name, not the bytes this read is using.
            channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new BlobNotFoundException(bucket, hash);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read blob " + hash + " in bucket " + bucket, e);
        }
        var source = new EncryptedSource() {
            @Override
            public InputStream open(long from, long count) throws IOException {
                long available = Math.max(0, channel.size() - from);
                // The channel is closed with the stream this read returns, not with the header's.
                var unclosed = new java.io.FilterInputStream(Channels.newInputStream(channel.position(from))) {
                    @Override
                    public void close() {
                    }
                };
                return new BoundedInputStream(unclosed, count < 0 ? available : Math.min(count, available));
            }

            @Override
            public Optional<byte[]> override() {
                return LocalBlobStore.this.override(bucket, hash);
            }
        };
        try {
            InputStream plaintext = encryption.open(bucket, hash, source, offset, length);
            return new java.io.FilterInputStream(plaintext) {
                @Override
                public void close() throws IOException {
                    try {
                        super.close();
                    } finally {
                        channel.close();
                    }
                }
            };
        } catch (IOException e) {
            closeQuietly(channel);
            throw new UncheckedIOException("cannot read blob " + hash + " in bucket " + bucket, e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    private InputStream openPlain(String bucket, ContentHash hash, Path path, long offset, long length) {
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
            deleteFile(bucket, hash, target);
            deleteFile(bucket, hash, encryptedPathOf(bucket, hash));
            DurableFiles.deleteQuietly(overridePathOf(bucket, hash));
        }
    }

    /**
     * Reads the blob through the path a GET takes and checks that it still hashes to its name
     * (for an encrypted blob: that every segment authenticates too). False when it does not;
     * throws {@link BlobNotFoundException} when it is not here.
     */
    public boolean verify(String bucket, ContentHash hash) {
        try (InputStream in = open(bucket, hash, 0, -1)) {
            return hash.isHashOf(in);
        } catch (BlobIntegrityException | CorruptSegmentException e) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot verify blob " + hash + " in bucket " + bucket, e);
        }
    }

    /**
     * Moves a damaged blob (its bytes no longer hash to its name) out of the store to
     * {@code quarantine/<bucket>/}, with its key record if it has one, for a person to inspect:
     * it is no longer served, synced or counted against the volume's limit. Returns where it went.
     */
    public Path quarantine(String bucket, ContentHash hash) {
        Path dir = quarantineRoot.resolve(ObjectKeys.requireValidBucket(bucket));
        Path target = pathOf(bucket, hash);
        synchronized (lockOf(target)) {
            try {
                DurableFiles.createDirectories(dir);
                for (Path file : List.of(target, encryptedPathOf(bucket, hash))) {
                    if (Files.isRegularFile(file)) {
                        long size = Files.size(file);
                        Files.move(file, dir.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                        volume.releaseStored(size);
                    }
                }
                Path record = overridePathOf(bucket, hash);
                if (Files.isRegularFile(record)) {
                    Files.move(record, dir.resolve(hash.hex() + ".key-record"), StandardCopyOption.REPLACE_EXISTING);
                }
                DurableFiles.forceDirectory(dir);
                if (Files.isDirectory(target.getParent())) {
                    DurableFiles.forceDirectory(target.getParent());
                }
                return dir;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot quarantine blob " + hash + " of bucket " + bucket, e);
            }
        }
    }

    private void deleteFile(String bucket, ContentHash hash, Path target) {
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

    @Override
    public String describe() {
        return "fallback volume";
    }

    @Override
    public List<ContentHash> encryptedBlobs(String bucket) {
        Path dir = root.resolve(ObjectKeys.requireValidBucket(bucket));
        List<ContentHash> found = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return found;
        }
        try (var files = Files.walk(dir)) {
            files.map(f -> f.getFileName().toString())
                .filter(n -> n.endsWith(BlobEncryption.ENCRYPTED_SUFFIX) && BLOB_NAME.matcher(n).matches())
                .forEach(n -> found.add(new ContentHash(n.substring(0, 64))));
        } catch (IOException | UncheckedIOException e) {
            // A blob released by the drain while walking: what was found is examined, the rest next pass.
            LOG.debug("walking {} for encrypted blobs: {}", dir, e.toString());
        }
        return found;
    }

    @Override
    public Optional<byte[]> header(String bucket, ContentHash hash) {
        try (var in = Files.newInputStream(encryptedPathOf(bucket, hash))) {
            return Optional.of(in.readNBytes(BlobEncryption.HEADER_BYTES));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the header of blob " + hash + " in bucket " + bucket, e);
        }
    }

    @Override
    public Optional<byte[]> override(String bucket, ContentHash hash) {
        try {
            return Optional.of(Files.readAllBytes(overridePathOf(bucket, hash)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the key record of blob " + hash + " in bucket " + bucket, e);
        }
    }

    @Override
    public void writeOverride(String bucket, ContentHash hash, byte[] record) {
        Path target = overridePathOf(bucket, hash);
        try {
            DurableFiles.createDirectories(target.getParent());
            DurableFiles.writeAtomically(target, record);
        } catch (IOException e) {
            throw DurableFiles.writeFailure(e, "storing the key record of blob " + hash + " in bucket " + bucket);
        }
    }

    private Path encryptedPathOf(String bucket, ContentHash hash) {
        Path plain = pathOf(bucket, hash);
        return plain.resolveSibling(plain.getFileName() + BlobEncryption.ENCRYPTED_SUFFIX);
    }

    private Path overridePathOf(String bucket, ContentHash hash) {
        return keysRoot.resolve(ObjectKeys.requireValidBucket(bucket)).resolve(hash.shardedPath());
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
