package dev.kelp.agent.s3;

import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;

/**
 * A request body as the worker thread reads it, fed by the event loop as Netty decodes it.
 * Back-pressure: the channel reads from the socket only while fewer than {@link #HIGH_WATER}
 * bytes wait here, and the worker asks for more once it has drained below {@link #LOW_WATER},
 * so memory per request stays bounded whatever the body size.
 */
final class RequestBody extends InputStream {

    /** Makes the body of one exchange, given what to do when the worker first reads it. */
    interface Factory {
        RequestBody create(Runnable onFirstRead);
    }

    static final int HIGH_WATER = 1024 * 1024;
    static final int LOW_WATER = 256 * 1024;
    private static final long STALL_MILLIS = 120_000;

    private final ArrayDeque<ByteBuf> queue = new ArrayDeque<>();
    private final Runnable readMore;
    private final Runnable onFirstRead;
    private ByteBuf current;
    private long buffered;
    private long received;
    private boolean ended;
    private boolean broken;
    private boolean discarded;
    private boolean started;

    /**
     * @param readMore    asks the event loop to read from the socket again
     * @param onFirstRead sends {@code 100 Continue} to a client that waits for it before its body
     */
    RequestBody(Runnable readMore, Runnable onFirstRead) {
        this.readMore = readMore;
        this.onFirstRead = onFirstRead;
    }

    // --- event loop side ---

    /** Takes ownership of {@code content}. */
    void offer(ByteBuf content) {
        synchronized (this) {
            if (!discarded && content.isReadable()) {
                queue.add(content);
                buffered += content.readableBytes();
                received += content.readableBytes();
                notifyAll();
                return;
            }
        }
        content.release();
    }

    synchronized void end() {
        ended = true;
        notifyAll();
    }

    /** The connection closed before the body ended. */
    synchronized void broken() {
        broken = true;
        notifyAll();
    }

    synchronized boolean wantsMore() {
        return !ended && !broken && !discarded && buffered < HIGH_WATER;
    }

    synchronized boolean isEnded() {
        return ended;
    }

    synchronized boolean isStarted() {
        return started;
    }

    /** Drops whatever is still buffered: the exchange is over. */
    void discard() {
        synchronized (this) {
            discarded = true;
            if (current != null) {
                current.release();
                current = null;
            }
            queue.forEach(ByteBuf::release);
            queue.clear();
            buffered = 0;
            notifyAll();
        }
    }

    // --- worker side ---

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
        boolean first;
        synchronized (this) {
            first = !started;
            started = true;
        }
        if (first) {
            onFirstRead.run();
        }
        int n;
        boolean askForMore;
        synchronized (this) {
            long deadline = System.currentTimeMillis() + STALL_MILLIS;
            while (current == null || !current.isReadable()) {
                if (current != null) {
                    current.release();
                    current = null;
                }
                if (discarded) {
                    throw new IOException("the request is over");
                }
                current = queue.poll();
                if (current != null) {
                    continue;
                }
                if (ended) {
                    return -1;
                }
                if (broken) {
                    throw new IOException("the client closed the connection before the body ended");
                }
                long wait = deadline - System.currentTimeMillis();
                if (wait <= 0) {
                    throw new IOException("the client sent nothing for " + STALL_MILLIS / 1000 + " s in the middle of the body");
                }
                try {
                    wait(wait);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while waiting for the request body");
                }
            }
            n = Math.min(len, current.readableBytes());
            current.readBytes(b, off, n);
            long before = buffered;
            buffered -= n;
            askForMore = before >= LOW_WATER && buffered < LOW_WATER || (queue.isEmpty() && !current.isReadable());
        }
        if (askForMore) {
            readMore.run();
        }
        return n;
    }

    /** Reads and drops up to {@code max} bytes; true when the body ended within them. */
    boolean skipToEnd(long max) {
        byte[] sink = new byte[64 * 1024];
        long skipped = 0;
        try {
            int n;
            while (skipped <= max && (n = read(sink, 0, sink.length)) >= 0) {
                skipped += n;
            }
            return skipped <= max;
        } catch (IOException e) {
            return false;
        }
    }

    synchronized long received() {
        return received;
    }

    @Override
    public void close() {
        // The exchange owns the body's lifetime: the engine closing its stream early must not drop
        // bytes the door still drains before it answers.
    }
}
