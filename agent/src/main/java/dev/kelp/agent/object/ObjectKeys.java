package dev.kelp.agent.object;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Rules for bucket names and object keys. A key is a path-like name that must never escape
 * its bucket wherever it ends up (a file name on the fallback volume, an S3 key, a log
 * line): no traversal segments, no control characters, no backslashes, bounded length.
 */
public final class ObjectKeys {

    /** S3's own limit, in UTF-8 bytes. */
    public static final int MAX_KEY_BYTES = 1024;

    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final Set<String> FORBIDDEN_SEGMENTS = Set.of(".", "..");

    private ObjectKeys() {
    }

    /** Throws {@link InvalidKeyException} naming the first rule the bucket name breaks. */
    public static String requireValidBucket(String bucket) {
        if (bucket == null || !BUCKET.matcher(bucket).matches()) {
            throw new InvalidKeyException("bucket name must be 3-63 characters of a-z, 0-9, '.', '-', starting and ending with a letter or digit");
        }
        return bucket;
    }

    /** Throws {@link InvalidKeyException} naming the first rule the key breaks. */
    public static String requireValidKey(String key) {
        if (key == null || key.isEmpty()) {
            throw new InvalidKeyException("key must not be empty");
        }
        if (key.getBytes(StandardCharsets.UTF_8).length > MAX_KEY_BYTES) {
            throw new InvalidKeyException("key is longer than " + MAX_KEY_BYTES + " bytes in UTF-8");
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (Character.isISOControl(c)) {
                throw new InvalidKeyException("key contains a control character (U+%04X) at position %d".formatted((int) c, i));
            }
            if (c == '\\') {
                throw new InvalidKeyException("key contains a backslash at position " + i);
            }
            if (Character.isSurrogate(c) && !(Character.isHighSurrogate(c) && i + 1 < key.length() && Character.isLowSurrogate(key.charAt(i + 1)))
                && !(Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(key.charAt(i - 1)))) {
                throw new InvalidKeyException("key contains an unpaired surrogate at position " + i);
            }
        }
        if (key.startsWith("/")) {
            throw new InvalidKeyException("key must not start with '/'");
        }
        for (String segment : key.split("/", -1)) {
            if (FORBIDDEN_SEGMENTS.contains(segment)) {
                throw new InvalidKeyException("key must not contain '.' or '..' path segments");
            }
            if (segment.isEmpty()) {
                throw new InvalidKeyException("key must not contain empty path segments ('//' or a trailing '/')");
            }
        }
        return key;
    }
}
