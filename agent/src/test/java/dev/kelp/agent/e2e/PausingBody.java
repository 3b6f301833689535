package dev.kelp.agent.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.CountDownLatch;

/**
 * A request body of {@code total} bytes of a fixed pattern whose client pauses after
 * {@code pauseAt} bytes, so a test can act on the agent (kill it, stop it) mid-upload. The
 * test then lets the client go on ({@link #resume()}) or give up ({@link #giveUp()}: the
 * next read fails, as a client that died).
 */
final class PausingBody extends InputStream {

    private final long total;
    private final long pauseAt;
    private final CountDownLatch reached;
    private final CountDownLatch released = new CountDownLatch(1);
    private volatile boolean gaveUp;
    private long sent;

    PausingBody(long total, long pauseAt, CountDownLatch reached) {
        this.total = total;
        this.pauseAt = pauseAt;
        this.reached = reached;
    }

    /** The whole body at once: what the agent should hold after a completed upload. */
    static PausingBody whole(long total) {
        return new PausingBody(total, total, new CountDownLatch(1));
    }

    void resume() {
        released.countDown();
    }

    void giveUp() {
        gaveUp = true;
        released.countDown();
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (sent >= total) {
            return -1;
        }
        if (sent == pauseAt) {
            reached.countDown();
            try {
                released.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            if (gaveUp) {
                throw new IOException("client gave up");
            }
        }
        long limit = sent < pauseAt ? pauseAt : total;
        int n = (int) Math.min(len, limit - sent);
        for (int i = 0; i < n; i++) {
            b[off + i] = (byte) ((sent + i) * 131 >>> 3);
        }
        sent += n;
        return n;
    }
}
