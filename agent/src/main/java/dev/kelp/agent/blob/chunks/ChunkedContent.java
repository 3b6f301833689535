package dev.kelp.agent.blob.chunks;

import dev.kelp.agent.object.ContentHash;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.Semaphore;

/**
 * A range of a chunked blob's content, read chunk after chunk: each chunk is opened only when
 * the reader gets near it, and only the part of it in the range, so a small range read of a
 * large blob fetches one or two chunks and memory stays flat for any size. With a
 * {@link ReadAhead}, the next few chunks are opened while this one is read: their requests'
 * round trips are then hidden behind the reading, and their bytes wait in their connections,
 * not in memory.
 */
public final class ChunkedContent extends InputStream {

    /**
     * Where chunks are opened ahead of the reader: up to {@code depth} per read, each holding one
     * of {@code slots} (shared by all reads, so that together they never take more connections
     * than that; a read that finds none free simply does not read ahead).
     */
    public record ReadAhead(Executor executor, Semaphore slots, int depth) {
    }

    private record Ahead(int index, Future<InputStream> opening) {
    }

    /** Opens {@code length} bytes of a chunk from {@code offset}. */
    @FunctionalInterface
    public interface ChunkOpener {
        InputStream open(ContentHash chunk, long offset, long length);
    }

    private final ChunkManifest manifest;
    private final ChunkOpener opener;
    private final long end;
    private long position;
    private int index;
    private long chunkStart;
    private InputStream current;
    private final ReadAhead readAhead;
    private final ArrayDeque<Ahead> ahead = new ArrayDeque<>();

    /** {@code length < 0}: to the end of the blob. */
    public ChunkedContent(ChunkManifest manifest, long offset, long length, ChunkOpener opener) {
        this(manifest, offset, length, opener, null);
    }

    /** {@code readAhead}: where the next chunks are opened while this one is read; null: no read-ahead. */
    public ChunkedContent(ChunkManifest manifest, long offset, long length, ChunkOpener opener, ReadAhead readAhead) {
        if (offset < 0 || offset > manifest.size()) {
            throw new IllegalArgumentException("offset " + offset + " is outside blob " + manifest.blob() + " of " + manifest.size() + " bytes");
        }
        this.manifest = manifest;
        this.opener = opener;
        // Not offset + length: a length such as Long.MAX_VALUE ("all of it") would overflow.
        this.end = length < 0 || length > manifest.size() - offset ? manifest.size() : offset + length;
        this.position = offset;
        this.readAhead = readAhead;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (position < end) {
            if (current == null) {
                openChunkAtPosition();
            }
            long chunkEnd = chunkStart + manifest.chunks().get(index).length();
            long stop = Math.min(chunkEnd, end);
            if (position < stop) {
                int n = current.read(b, off, (int) Math.min(len, stop - position));
                if (n > 0) {
                    position += n;
                    return n;
                }
                throw new IOException("chunk " + manifest.chunks().get(index).hash() + " of blob " + manifest.blob() + " ended "
                    + (stop - position) + " bytes early");
            }
            // Read to the chunk's end of stream: a body read to its end keeps its connection for the
            // next chunk, and a chunk longer than its manifest says is refused, not taken for the next.
            if (current.read() >= 0) {
                throw new IOException("chunk " + manifest.chunks().get(index).hash() + " of blob " + manifest.blob()
                    + " holds more than the " + manifest.chunks().get(index).length() + " bytes its manifest says");
            }
            closeCurrent();
            chunkStart = chunkEnd;
            index++;
        }
        return -1;
    }

    private void openChunkAtPosition() throws IOException {
        while (chunkStart + manifest.chunks().get(index).length() <= position) {
            chunkStart += manifest.chunks().get(index).length();
            index++;
        }
        var chunk = manifest.chunks().get(index);
        if (!ahead.isEmpty() && ahead.peekFirst().index() == index && position == chunkStart) {
            current = take(ahead.pollFirst());
        } else {
            dropAhead();
            long from = position - chunkStart;
            long to = Math.min(chunk.length(), end - chunkStart);
            current = opener.open(chunk.hash(), from, to - from);
        }
        openAhead();
    }

    private void openAhead() {
        if (readAhead == null) {
            return;
        }
        int next = ahead.isEmpty() ? index + 1 : ahead.peekLast().index() + 1;
        long nextStart = chunkStart;
        for (int i = index; i < next; i++) {
            nextStart += manifest.chunks().get(i).length();
        }
        while (ahead.size() < readAhead.depth() && nextStart < end && readAhead.slots().tryAcquire()) {
            var chunk = manifest.chunks().get(next);
            long n = Math.min(chunk.length(), end - nextStart);
            FutureTask<InputStream> task = new FutureTask<>(() -> opener.open(chunk.hash(), 0, n)) {
                @Override
                protected void set(InputStream opened) {
                    super.set(opened);
                    if (isCancelled()) {
                        // Dropped while it was opening: nobody will read or close it but us.
                        closeQuietly(opened);
                    }
                }
            };
            ahead.addLast(new Ahead(next, task));
            try {
                readAhead.executor().execute(task);
            } catch (RuntimeException e) {
                // The executor is gone (the agent is stopping): this chunk is opened when it is reached.
                ahead.pollLast();
                readAhead.slots().release();
                return;
            }
            nextStart += chunk.length();
            next++;
        }
    }

    private InputStream take(Ahead taken) throws IOException {
        readAhead.slots().release();
        try {
            return taken.opening().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while opening a chunk of blob " + manifest.blob());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IOException("cannot open a chunk of blob " + manifest.blob(), e.getCause());
        }
    }

    /** Cancels the read-ahead, closing what it opened where it got that far. */
    private void dropAhead() {
        for (Ahead dropped; (dropped = ahead.pollFirst()) != null; ) {
            readAhead.slots().release();
            if (!dropped.opening().cancel(false) && dropped.opening().state() == Future.State.SUCCESS) {
                closeQuietly(dropped.opening().resultNow());
            }
        }
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException e) {
            // Nothing was read from it; a failing close changes nothing for the reader.
        }
    }

    private void closeCurrent() throws IOException {
        if (current != null) {
            InputStream done = current;
            current = null;
            done.close();
        }
    }

    @Override
    public void close() throws IOException {
        position = end;
        dropAhead();
        closeCurrent();
    }
}
