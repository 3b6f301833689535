package dev.kelp.agent.http;

import dev.kelp.agent.object.KelpException;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.Supplier;

/**
 * What is left of a request body the engine refused before reading it all. Many HTTP/1.1
 * clients (java.net.http among them) read no response before they have sent the whole body,
 * so a refusal that closes the connection mid-body reaches them as a broken pipe instead of
 * its status. Reading and discarding a bounded rest first lets them see the 4xx; past the
 * bound the connection is closed (as Tomcat's maxSwallowSize does).
 */
final class UnreadBody {

    static final long SWALLOW_LIMIT = 8L * 1024 * 1024;

    private UnreadBody() {
    }

    /**
     * Runs {@code call}, which reads {@code body}; if the engine refuses, swallows the rest of the
     * body before the refusal goes out. Closes the body either way: Micronaut hands a body that
     * arrived whole as a stream over its network buffer, which is freed only when the stream is
     * closed, and unreleased such buffers were native memory lost on every small write.
     */
    static <T> T consume(InputStream body, Supplier<T> call) {
        try {
            return call.get();
        } catch (KelpException refused) {
            swallow(body, SWALLOW_LIMIT);
            throw refused;
        } finally {
            release(body);
        }
    }

    private static void release(InputStream body) {
        try {
            body.close();
        } catch (IOException ignored) {
            // Closing only releases the body's buffers: whatever the call did stands.
        }
    }

    /** Discards up to {@code limit} bytes of {@code body}; never throws. */
    static void swallow(InputStream body, long limit) {
        byte[] buffer = new byte[64 * 1024];
        long left = limit;
        try {
            int n;
            while (left > 0 && (n = body.read(buffer, 0, (int) Math.min(buffer.length, left))) >= 0) {
                left -= n;
            }
        } catch (IOException clientGone) {
            // Nothing to save: the refusal is answered (or not) on a connection that then closes.
        }
    }
}
