package dev.kelp.agent.blob;

import dev.kelp.agent.fallback.DurableFiles;
import dev.kelp.agent.object.ContentHash;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A request body written in full to a temp file on the fallback volume, with its SHA-256 and
 * size. Closing it deletes the file and gives its room back; a blob store that stored it has
 * its own copy (or link) by then. Close it in a try-with-resources: twice is harmless.
 */
public final class StagedBlob implements AutoCloseable {

    private final Path file;
    private final ContentHash hash;
    private final long size;
    private final Runnable releaseRoom;
    private final AtomicBoolean closed = new AtomicBoolean();

    StagedBlob(Path file, ContentHash hash, long size, Runnable releaseRoom) {
        this.file = file;
        this.hash = hash;
        this.size = size;
        this.releaseRoom = releaseRoom;
    }

    public Path file() {
        return file;
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
    public void moveDurably(Path target) throws IOException {
        if (closed.get()) {
            throw new IllegalStateException("staged blob already closed or moved: " + this);
        }
        DurableFiles.forceFile(file);
        Files.move(file, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
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
    public void close() {
        if (closed.compareAndSet(false, true)) {
            DurableFiles.deleteQuietly(file);
            releaseRoom.run();
        }
    }

    @Override
    public String toString() {
        return "StagedBlob[" + hash + ", " + size + " bytes, " + file + "]";
    }
}
