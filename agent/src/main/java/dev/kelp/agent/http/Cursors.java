package dev.kelp.agent.http;

import dev.kelp.agent.metadata.MetadataStore.VersionCursor;
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

    /** A version listing's cursor: the last key and its version's order ('\n' cannot occur in a key). */
    static String encode(VersionCursor last) {
        return encode(last.key() + "\n" + last.sequence());
    }

    static VersionCursor decodeVersion(String cursor) {
        String decoded = decode(cursor);
        if (decoded == null) {
            return null;
        }
        int split = decoded.lastIndexOf('\n');
        try {
            if (split < 1) {
                throw new NumberFormatException();
            }
            return new VersionCursor(decoded.substring(0, split), Long.parseLong(decoded.substring(split + 1)));
        } catch (NumberFormatException e) {
            throw new KelpException(400, "InvalidCursor", "cursor is not one this agent returned");
        }
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
