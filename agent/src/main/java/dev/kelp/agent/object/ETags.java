package dev.kelp.agent.object;

import java.util.Arrays;
import java.util.Optional;

/** ETag = the quoted SHA-256 of the content. Parses the If-Match / If-None-Match forms clients send. */
public final class ETags {

    private ETags() {
    }

    public static String of(ContentHash hash) {
        return "\"" + hash.hex() + "\"";
    }

    /** True when a header value ("*", one tag, or a comma-separated list, weak or strong) matches. */
    public static boolean matches(String header, Optional<ContentHash> current) {
        if (current.isEmpty()) {
            return false;
        }
        return Arrays.stream(header.split(","))
            .map(String::trim)
            .map(t -> t.startsWith("W/") ? t.substring(2) : t)
            .map(t -> t.replace("\"", ""))
            .anyMatch(t -> t.equals("*") || t.equalsIgnoreCase(current.get().hex()));
    }
}
