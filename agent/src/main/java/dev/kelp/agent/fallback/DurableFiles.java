package dev.kelp.agent.fallback;

import dev.kelp.agent.blob.InsufficientStorageException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.util.Set;

/**
 * The few file operations that make a write survive a power cut: data fsync'd before it is
 * named, names published by atomic rename, and the directory fsync'd so the name itself is
 * on disk. Everything the agent acknowledges from the fallback volume goes through here.
 */
public final class DurableFiles {

    /** Suffix of a file being written; whatever carries it after a crash is garbage. */
    public static final String TEMP_SUFFIX = ".tmp";

    private DurableFiles() {
    }

    public static void forceFile(Path file) throws IOException {
        try (var channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
    }

    /** Makes the entries of {@code dir} (files created, renamed or deleted in it) durable. */
    public static void forceDirectory(Path dir) throws IOException {
        try (var channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    /** Like {@link Files#createDirectories}, but each directory it creates is durable in its parent. */
    public static void createDirectories(Path dir) throws IOException {
        Path absolute = dir.toAbsolutePath();
        if (Files.isDirectory(absolute)) {
            return;
        }
        Path parent = absolute.getParent();
        if (parent != null) {
            createDirectories(parent);
        }
        try {
            Files.createDirectory(absolute);
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(absolute)) {
                throw e;
            }
            return;
        }
        if (parent != null) {
            forceDirectory(parent);
        }
    }

    /**
     * Writes {@code content} to {@code target} so that after a crash the file either holds all
     * of it or does not exist: temp file, fsync, atomic rename, fsync of the directory.
     */
    public static void writeAtomically(Path target, byte[] content) throws IOException {
        writeAtomically(target, content, new FileAttribute<?>[0]);
    }

    /** As {@link #writeAtomically(Path, byte[])}, the file created with {@code attributes} (permissions, say) from its first byte. */
    public static void writeAtomically(Path target, byte[] content, FileAttribute<?>... attributes) throws IOException {
        Path temp = target.resolveSibling(target.getFileName() + TEMP_SUFFIX);
        deleteQuietly(temp); // attributes apply only to a file this call creates
        try {
            try (var channel = FileChannel.open(temp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), attributes)) {
                var buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            deleteQuietly(temp);
            throw e;
        }
        forceDirectory(target.getParent());
    }

    /** ENOSPC or EDQUOT: the volume (or its owner's quota) is full. */
    public static boolean isOutOfSpace(IOException e) {
        String message = e.getMessage();
        return message != null && (message.contains("No space left on device") || message.contains("Disk quota exceeded"));
    }

    /** The exception a failed write becomes: 507 when the disk is full, else the I/O error itself. */
    public static RuntimeException writeFailure(IOException e, String what) {
        if (isOutOfSpace(e)) {
            return new InsufficientStorageException("the fallback volume is full: " + what + " failed: " + e.getMessage());
        }
        return new UncheckedIOException(what + " failed", e);
    }

    /** Best-effort removal of a file that must not stay behind; a failure leaves it to the startup sweep. */
    public static void deleteQuietly(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // The startup sweep removes leftovers by name; nothing to do better here.
        }
    }
}
