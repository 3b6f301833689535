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
 * through the native API (no MD5 known) show their SHA-256 ETag. An object a multipart upload
 * made has S3's multipart ETag instead, {@code <md5 of the parts' binary MD5s>-<parts>}, which
 * rclone and other clients compute from what they sent and compare; it is kept the same way.
 */
final class S3ETags {

    /** The reserved user-metadata name; the native API shows it as {@code x-kelp-meta-kelp-s3-md5}. */
    static final String MD5_KEY = "kelp-s3-md5";
    /** The multipart ETag of an object completed through the S3 door ({@code x-kelp-meta-kelp-s3-etag}). */
    static final String MULTIPART_KEY = "kelp-s3-etag";

    private S3ETags() {
    }

    static String of(ObjectRecord record) {
        String multipart = record.userMetadata().get(MULTIPART_KEY);
        if (multipart != null) {
            return "\"" + multipart + "\"";
        }
        String md5 = record.userMetadata().get(MD5_KEY);
        return md5 != null ? "\"" + md5 + "\"" : ETags.of(record.hash());
    }

    /**
     * Whether a conditional header's value ("*", or a list of tags) names this object: any ETag a
     * client may have seen for it (S3's, or the SHA-256 the native API shows).
     */
    static boolean matches(String header, ObjectRecord record) {
        String md5 = record.userMetadata().get(MD5_KEY);
        String multipart = record.userMetadata().get(MULTIPART_KEY);
        return Arrays.stream(header.split(","))
            .map(String::trim)
            .map(t -> t.startsWith("W/") ? t.substring(2) : t)
            .map(t -> t.replace("\"", "").toLowerCase(Locale.ROOT))
            .anyMatch(t -> t.equals("*") || t.equals(record.hash().hex()) || t.equals(md5) || t.equals(multipart));
    }

    /**
     * S3's ETag of an object made of parts with these MD5s (lower-case hex, in the order of the
     * object): the MD5 of their 16-byte binary forms concatenated, a dash, and how many there are.
     */
    static String multipart(java.util.List<String> partMd5s) {
        if (partMd5s.isEmpty()) {
            throw new IllegalArgumentException("a multipart object has at least one part");
        }
        java.security.MessageDigest md5;
        try {
            md5 = java.security.MessageDigest.getInstance("MD5");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is part of every JDK", e);
        }
        var hex = java.util.HexFormat.of();
        for (String part : partMd5s) {
            byte[] binary = hex.parseHex(part);
            if (binary.length != 16) {
                throw new IllegalArgumentException("not an MD5: " + part);
            }
            md5.update(binary);
        }
        return hex.formatHex(md5.digest()) + "-" + partMd5s.size();
    }

    /** Prefix of the reserved entries that keep the standard headers S3 stores with an object (Cache-Control, ...). */
    static final String HEADER_PREFIX = "kelp-s3-h-";

    /** The client's metadata, without the reserved entries. */
    static Map<String, String> userMetadata(ObjectRecord record) {
        var meta = new HashMap<>(record.userMetadata());
        meta.keySet().removeIf(S3ETags::reserved);
        return meta;
    }

    /**
     * What a copy keeps: the client's metadata and stored headers. The MD5 is computed again, and
     * a copy is one part (as S3's CopyObject makes it), so a multipart ETag is not kept either.
     */
    static Map<String, String> withoutMd5(ObjectRecord record) {
        var meta = new HashMap<>(record.userMetadata());
        meta.remove(MD5_KEY);
        meta.remove(MULTIPART_KEY);
        return meta;
    }

    static boolean reserved(String name) {
        return name.equals(MD5_KEY) || name.equals(MULTIPART_KEY) || name.startsWith(HEADER_PREFIX);
    }

    static Map<String, String> withMd5(Map<String, String> meta, String md5Hex) {
        var copy = new HashMap<>(meta);
        copy.put(MD5_KEY, md5Hex);
        return copy;
    }
}
