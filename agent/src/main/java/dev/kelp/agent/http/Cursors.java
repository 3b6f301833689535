package dev.kelp.agent.http;

import dev.kelp.agent.object.KelpException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Listing cursors are opaque to clients (the last key, base64url), so the scheme can change. */
final class Cursors {

    private Cursors() {
    }

    static String encode(String lastKey) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(lastKey.getBytes(StandardCharsets.UTF_8));
    }

    static String decode(String cursor) {
        if (cursor == null || cursor.isEmpty()) {
            return null;
        }
        try {
            return new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new KelpException(400, "InvalidCursor", "cursor is not one this agent returned");
        }
    }
}
