package dev.kelp.agent.blob;

import dev.kelp.agent.fallback.DurableFiles;
import dev.kelp.agent.object.ContentHash;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A request body received in full, with its SHA-256 and size: in a temp file on the fallback
 * volume, or, when it is small, in memory until a store asks for {@link #file()}. Closing it
 * deletes the file and gives its room back; a blob store that stored it has its own copy (or
 * link) by then. Close it in a try-with-resources: twice is harmless.
 */
public final class StagedBlob implements AutoCloseable {

    /** Writes a body kept in memory to a new staging file, when a store needs it as a file. */
    interface FileWriter {
        Path write(byte[] content);
    }

    private final ContentHash hash;
    private final long size;
    private final Runnable releaseRoom;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** The whole body, when it is kept in memory; null when it was staged to a file. */
    private final byte[] content;
    private final FileWriter fileWriter;
    /** Guarded by this; null while a body kept in memory has not been asked for as a file. */
    private Path file;

    StagedBlob(Path file, ContentHash hash, long size, Runnable releaseRoom) {
        this(file, null, hash, size, releaseRoom, null);
    }

    private StagedBlob(Path file, byte[] content, ContentHash hash, long size, Runnable releaseRoom, FileWriter fileWriter) {
        this.file = file;
        this.content = content;
        this.hash = hash;
        this.size = size;
        this.releaseRoom = releaseRoom;
        this.fileWriter = fileWriter;
    }

    /** A body kept in memory; {@code content} is the blob's from now on and must not change. */
    static StagedBlob inMemory(byte[] content, ContentHash hash, Runnable releaseRoom, FileWriter fileWriter) {
        return new StagedBlob(null, content, hash, content.length, releaseRoom, fileWriter);
    }

    /** The body as a file on the fallback volume, written now if it was kept in memory. */
    public synchronized Path file() {
        if (file == null) {
            if (closed.get()) {
                throw new IllegalStateException("staged blob already closed: " + this);
            }
            file = fileWriter.write(content);
        }
        return file;
    }

    /** True when the body is in memory, so {@link #newStream()} reads no file. */
    public boolean inMemory() {
        return content != null;
    }

    /** The body from its start: from memory when it is kept there, else from its file. */
    public InputStream newStream() {
        if (content != null) {
            return new ByteArrayInputStream(content);
        }
        try {
            return Files.newInputStream(file());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the staged body " + file, e);
        }
    }

    public ContentHash hash() {
        return hash;
    }

    public long size() {
        return size;
    }

    /**
     * Makes the staged file durable under {@code target}, on the same volume: fsync, atomic
     * rename (replacing whatever had that name), fsync of the target's directory. The file is
     * the caller's from then on: {@link #close()} neither deletes it nor releases its room,
     * which the caller accounts for from now on (a multipart part does so with
     * {@link dev.kelp.agent.fallback.FallbackVolume#stagingBecomesPart}). On failure the blob
     * still owns its room, and {@link #close()} releases it as usual.
     */
    public synchronized void moveDurably(Path target) throws IOException {
        if (closed.get()) {
            throw new IllegalStateException("staged blob already closed or moved: " + this);
        }
        Path source = file();
        DurableFiles.forceFile(source);
        Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try {
            DurableFiles.forceDirectory(target.getParent());
        } catch (IOException e) {
            // Not durable, so not handed over: the name goes, and close() still releases the room.
            DurableFiles.deleteQuietly(target);
            throw e;
        }
        closed.set(true);
    }

    @Override
    public synchronized void close() {
        if (closed.compareAndSet(false, true)) {
            if (file != null) {
                DurableFiles.deleteQuietly(file);
            }
            releaseRoom.run();
        }
    }

    @Override
    public synchronized String toString() {
        return "StagedBlob[" + hash + ", " + size + " bytes, " + (file != null ? file : "in memory") + "]";
    }
}
