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
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams request bodies to temp files on the fallback volume, hashing as they go, so that
 * every store downstream gets a complete file with a known SHA-256 and size, and memory stays
 * at one buffer per upload whatever the body size. Staged files are not fsync'd: the store
 * that keeps one makes it durable (the local store fsyncs its link to the same inode).
 */
@Singleton
public class BlobStaging {

    private static final Logger LOG = LoggerFactory.getLogger(BlobStaging.class);
    static final int BUFFER_BYTES = 64 * 1024;
    static final int MIN_BUFFER_BYTES = 8 * 1024;

    private final FallbackVolume volume;
    private final Path dir;

    public BlobStaging(FallbackVolume volume) {
        this.volume = volume;
        this.dir = volume.stagingDir();
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
        Path file = createFile();
        var digest = ContentHash.newDigest();
        long size = 0;
        boolean staged = false;
        FileChannel out = null;
        try {
            out = openForWriting(file);
            byte[] buffer = new byte[bufferBytes(expectedBytes)];
            var chunk = ByteBuffer.wrap(buffer);
            int read;
            while ((read = body.read(buffer)) != -1) {
                if (size + read > maxBytes) {
                    throw new PayloadTooLargeException(maxBytes);
                }
                volume.claimStaging(read);
                size += read;
                digest.update(buffer, 0, read);
                write(out, chunk.clear().limit(read));
            }
            close(out);
            staged = true;
        } finally {
            if (!staged) {
                closeQuietly(out);
                DurableFiles.deleteQuietly(file);
                volume.releaseStaging(size);
            }
        }
        long claimed = size;
        return new StagedBlob(file, ContentHash.of(digest), size, () -> volume.releaseStaging(claimed));
    }

    static int bufferBytes(long expectedBytes) {
        return expectedBytes < 0 ? BUFFER_BYTES : (int) Math.clamp(expectedBytes, MIN_BUFFER_BYTES, BUFFER_BYTES);
    }

    private Path createFile() {
        try {
            return Files.createTempFile(dir, "body-", DurableFiles.TEMP_SUFFIX);
        } catch (IOException e) {
            throw DurableFiles.writeFailure(e, "creating a staging file");
        }
    }

    private static FileChannel openForWriting(Path file) {
        try {
            return FileChannel.open(file, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw DurableFiles.writeFailure(e, "opening a staging file");
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

    private static void closeQuietly(FileChannel out) {
        if (out != null) {
            try {
                out.close();
            } catch (IOException ignored) {
                // Already failing; the file is deleted next.
            }
        }
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
