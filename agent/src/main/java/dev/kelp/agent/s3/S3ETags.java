package dev.kelp.agent.s3;

import dev.kelp.agent.object.ETags;
import dev.kelp.agent.object.ObjectRecord;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * S3 clients (s3cmd, rclone, older SDKs) check an object's ETag against the MD5 of what they
 * sent, while the engine names content by SHA-256. So the S3 door computes the MD5 as the body
 * streams and keeps it with the object as a reserved user-metadata entry; objects written
 * through the native API (no MD5 known) show their SHA-256 ETag.
 */
final class S3ETags {

    /** The reserved user-metadata name; the native API shows it as {@code x-kelp-meta-kelp-s3-md5}. */
    static final String MD5_KEY = "kelp-s3-md5";

    private S3ETags() {
    }

    static String of(ObjectRecord record) {
        String md5 = record.userMetadata().get(MD5_KEY);
        return md5 != null ? "\"" + md5 + "\"" : ETags.of(record.hash());
    }

    /** Whether a conditional header's value ("*", or a list of tags) names this object. */
    static boolean matches(String header, ObjectRecord record) {
        String md5 = record.userMetadata().get(MD5_KEY);
        return Arrays.stream(header.split(","))
            .map(String::trim)
            .map(t -> t.startsWith("W/") ? t.substring(2) : t)
            .map(t -> t.replace("\"", "").toLowerCase(Locale.ROOT))
            .anyMatch(t -> t.equals("*") || t.equals(record.hash().hex()) || t.equals(md5));
    }

    /** Prefix of the reserved entries that keep the standard headers S3 stores with an object (Cache-Control, ...). */
    static final String HEADER_PREFIX = "kelp-s3-h-";

    /** The client's metadata, without the reserved entries. */
    static Map<String, String> userMetadata(ObjectRecord record) {
        var meta = new HashMap<>(record.userMetadata());
        meta.keySet().removeIf(S3ETags::reserved);
        return meta;
    }

    /** What a copy keeps: the client's metadata and stored headers; the MD5 is computed again. */
    static Map<String, String> withoutMd5(ObjectRecord record) {
        var meta = new HashMap<>(record.userMetadata());
        meta.remove(MD5_KEY);
        return meta;
    }

    static boolean reserved(String name) {
        return name.equals(MD5_KEY) || name.startsWith(HEADER_PREFIX);
    }

    static Map<String, String> withMd5(Map<String, String> meta, String md5Hex) {
        var copy = new HashMap<>(meta);
        copy.put(MD5_KEY, md5Hex);
        return copy;
    }
}
