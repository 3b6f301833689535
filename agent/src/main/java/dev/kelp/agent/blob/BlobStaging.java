package dev.kelp.agent.blob;

import dev.kelp.agent.fallback.DurableFiles;
import dev.kelp.agent.fallback.FallbackVolume;
import dev.kelp.agent.object.ContentHash;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams request bodies to temp files on the fallback volume, hashing as they go, so that
 * every store downstream gets a complete body with a known SHA-256 and size, and memory stays
 * at one buffer per upload whatever the body size. Staged files are not fsync'd: the store
 * that keeps one makes it durable (the local store fsyncs its link to the same inode).
 *
 * <p>A body that fits in the one buffer ({@value #BUFFER_BYTES} bytes at most) stays in memory,
 * and becomes a file only if a store asks for one (the fallback volume does; SeaweedFS does not).
 * Creating a file was a fixed cost of every small write: the {@code open(O_CREAT)} alone took
 * 0.5-1.2 ms in the agent (strace, and timed in the process), up to a sixth of a 4 KiB PUT in
 * FULL mode, and its {@code unlink} came on top (docs/benchmarks.md, "2026-12-03, later").
 */
@Singleton
public class BlobStaging {

    private static final Logger LOG = LoggerFactory.getLogger(BlobStaging.class);
    static final int BUFFER_BYTES = 64 * 1024;
    static final int MIN_BUFFER_BYTES = 8 * 1024;

    private static final Set<StandardOpenOption> CREATE_OPTIONS = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);

    private final FallbackVolume volume;
    private final Path dir;
    /** As createTempFile made them: the bodies of apps are nobody else's to read. */
    private final FileAttribute<?>[] ownerOnly;

    public BlobStaging(FallbackVolume volume) {
        this.volume = volume;
        this.dir = volume.stagingDir();
        this.ownerOnly = dir.getFileSystem().supportedFileAttributeViews().contains("posix")
            ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
            : new FileAttribute<?>[0];
        try {
            DurableFiles.createDirectories(dir);
            int swept = sweepLeftovers();
            if (swept > 0) {
                LOG.info("Removed {} staged bodies left by uploads the agent was stopped in the middle of", swept);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the staging directory " + dir, e);
        }
    }

    /**
     * Reads {@code body} to its end into a new staged file. Whatever is thrown, no file is
     * left behind and no room stays claimed.
     *
     * @param maxBytes the most this body may hold
     * @throws PayloadTooLargeException     the body is longer than {@code maxBytes}
     * @throws InsufficientStorageException the volume is full or at its configured limit
     * @throws IOException                  the body could not be read (the client went away)
     * @throws UncheckedIOException         the disk failed
     */
    public StagedBlob stage(InputStream body, long maxBytes) throws IOException {
        return stage(body, maxBytes, -1);
    }

    /**
     * As {@link #stage(InputStream, long)}, for a body that says how long it is (a request's
     * Content-Length): a small one is read through a buffer of its size rather than a full one,
     * which was half of what a 4 KiB write taken by the fallback volume allocated (a third in FULL
     * mode, docs/benchmarks.md "2026-12-02"). The length only sizes the buffer: a body
     * longer or shorter than it says is staged as it is.
     *
     * @param expectedBytes the length the body declares; negative when unknown
     */
    public StagedBlob stage(InputStream body, long maxBytes, long expectedBytes) throws IOException {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must not be negative: " + maxBytes);
        }
        var digest = ContentHash.newDigest();
        byte[] buffer = new byte[bufferBytes(expectedBytes)];
        int buffered = 0;
        long size = 0;
        boolean staged = false;
        CreatedFile created = null;
        try {
            while (true) {
                int read;
                if (buffered < buffer.length) {
                    read = body.read(buffer, buffered, buffer.length - buffered);
                } else {
                    // A full buffer goes to a file only once more is coming, so that a body of
                    // exactly one buffer stays in memory.
                    int next = body.read();
                    if (next == -1) {
                        break;
                    }
                    if (created == null) {
                        created = createFile();
                    }
                    write(created.channel(), ByteBuffer.wrap(buffer, 0, buffered));
                    buffer[0] = (byte) next;
                    buffered = 0;
                    read = 1;
                }
                if (read == -1) {
                    break;
                }
                if (size + read > maxBytes) {
                    throw new PayloadTooLargeException(maxBytes);
                }
                volume.claimStaging(read);
                digest.update(buffer, buffered, read);
                buffered += read;
                size += read;
            }
            if (created != null) {
                write(created.channel(), ByteBuffer.wrap(buffer, 0, buffered));
                close(created.channel());
            }
            staged = true;
        } finally {
            if (!staged) {
                if (created != null) {
                    discard(created);
                }
                volume.releaseStaging(size);
            }
        }
        long claimed = size;
        Runnable releaseRoom = () -> volume.releaseStaging(claimed);
        if (created == null) {
            byte[] content = buffered == buffer.length ? buffer : Arrays.copyOf(buffer, buffered);
            return StagedBlob.inMemory(content, ContentHash.of(digest), releaseRoom, this::writeFile);
        }
        return new StagedBlob(created.path(), ContentHash.of(digest), size, releaseRoom);
    }

    /**
     * A staging file holding {@code content}, for a body kept in memory that a store needs as a
     * file after all (the fallback volume, a multipart part). Its room is already claimed.
     */
    private Path writeFile(byte[] content) {
        CreatedFile created = createFile();
        boolean written = false;
        try {
            write(created.channel(), ByteBuffer.wrap(content));
            close(created.channel());
            written = true;
            return created.path();
        } finally {
            if (!written) {
                discard(created);
            }
        }
    }

    static int bufferBytes(long expectedBytes) {
        return expectedBytes < 0 ? BUFFER_BYTES : (int) Math.clamp(expectedBytes, MIN_BUFFER_BYTES, BUFFER_BYTES);
    }

    private record CreatedFile(Path path, FileChannel channel) {
    }

    /**
     * A new staging file, open for writing, readable by the agent alone: one {@code open} with
     * O_CREAT|O_EXCL under a random name, where {@code Files.createTempFile} and a second open
     * took two.
     */
    private CreatedFile createFile() {
        while (true) {
            Path file = dir.resolve("body-" + Long.toUnsignedString(ThreadLocalRandom.current().nextLong()) + DurableFiles.TEMP_SUFFIX);
            try {
                return new CreatedFile(file, FileChannel.open(file, CREATE_OPTIONS, ownerOnly));
            } catch (FileAlreadyExistsException taken) {
                // 2^64 names: another body holds this one; draw again.
            } catch (IOException e) {
                throw DurableFiles.writeFailure(e, "creating a staging file");
            }
        }
    }

    // Disk errors are converted here so that an IOException out of stage() always means the
    // body could not be read: the caller answers the two differently.
    private static void write(FileChannel out, ByteBuffer chunk) {
        try {
            while (chunk.hasRemaining()) {
                out.write(chunk);
            }
        } catch (IOException e) {
            throw DurableFiles.writeFailure(e, "staging the request body");
        }
    }

    private static void close(FileChannel out) {
        try {
            out.close();
        } catch (IOException e) {
            throw DurableFiles.writeFailure(e, "staging the request body");
        }
    }

    /** Closes and deletes a file whose writing failed: nothing half-written stays behind. */
    private static void discard(CreatedFile created) {
        try {
            created.channel().close();
        } catch (IOException ignored) {
            // Already failing; the file is deleted next.
        }
        DurableFiles.deleteQuietly(created.path());
    }

    private int sweepLeftovers() throws IOException {
        int swept = 0;
        try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(dir)) {
            for (Path leftover : leftovers) {
                if (Files.isRegularFile(leftover)) {
                    Files.deleteIfExists(leftover);
                    swept++;
                }
            }
        }
        return swept;
    }
}
