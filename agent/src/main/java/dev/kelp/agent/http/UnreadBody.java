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

    /** Runs {@code call}; if the engine refuses, swallows the rest of {@code body} before the refusal goes out. */
    static <T> T swallowOnRefusal(InputStream body, Supplier<T> call) {
        try {
            return call.get();
        } catch (KelpException refused) {
            swallow(body, SWALLOW_LIMIT);
            throw refused;
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
