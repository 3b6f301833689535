package dev.kelp.agent.object;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** The SHA-256 of an object's bytes, lower-case hex: its content address, ETag and dedup key. */
public record ContentHash(String hex) {

    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");

    public ContentHash {
        if (hex == null || !HEX64.matcher(hex).matches()) {
            throw new IllegalArgumentException("not a lower-case hex SHA-256: " + hex);
        }
    }

    public static ContentHash of(byte[] digest) {
        return new ContentHash(HexFormat.of().formatHex(digest));
    }

    public static ContentHash of(MessageDigest sha256) {
        return of(sha256.digest());
    }

    public static ContentHash ofBytes(byte[] bytes) {
        return of(newDigest().digest(bytes));
    }

    public static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** Reads {@code in} to its end (the caller closes it): true when those bytes hash to this. */
    public boolean isHashOf(InputStream in) throws IOException {
        MessageDigest digest = newDigest();
        byte[] buffer = new byte[64 * 1024];
        for (int n; (n = in.read(buffer)) >= 0; ) {
            digest.update(buffer, 0, n);
        }
        return of(digest).equals(this);
    }

    /** Two-level fan-out so no directory or prefix holds millions of entries. */
    public String shardedPath() {
        return hex.substring(0, 2) + "/" + hex.substring(2, 4) + "/" + hex;
    }

    @Override
    public String toString() {
        return hex;
    }
}
