package dev.kelp.agent.blob;

import dev.kelp.agent.fallback.DurableFiles;
import dev.kelp.agent.object.ContentHash;
import java.nio.file.Path;
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
