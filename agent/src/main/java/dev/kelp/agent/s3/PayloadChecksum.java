package dev.kelp.agent.s3;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;
import java.util.zip.Checksum;

/**
 * An {@code x-amz-checksum-<algorithm>} a client sent with a body (as a header, or as a
 * trailer of an aws-chunked body), computed over the body as it streams. CRC64NVME, which
 * needs native code, is accepted without being checked: the engine's own SHA-256 still
 * guards the bytes from here on.
 */
final class PayloadChecksum {

    private final String header;
    private final Checksum crc;
    private final MessageDigest digest;

    private PayloadChecksum(String header, Checksum crc, MessageDigest digest) {
        this.header = header;
        this.crc = crc;
        this.digest = digest;
    }

    /** The checksum for a header name such as {@code x-amz-checksum-crc32}, or null when it is not one we can compute. */
    static PayloadChecksum forHeader(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return switch (lower) {
            case "x-amz-checksum-crc32" -> new PayloadChecksum(lower, new CRC32(), null);
            case "x-amz-checksum-crc32c" -> new PayloadChecksum(lower, new CRC32C(), null);
            case "x-amz-checksum-sha1" -> new PayloadChecksum(lower, null, digest("SHA-1"));
            case "x-amz-checksum-sha256" -> new PayloadChecksum(lower, null, digest("SHA-256"));
            default -> null;
        };
    }

    static boolean isChecksumHeader(String name) {
        return name.toLowerCase(Locale.ROOT).startsWith("x-amz-checksum-") && !name.equalsIgnoreCase("x-amz-checksum-type")
            && !name.equalsIgnoreCase("x-amz-checksum-algorithm");
    }

    String header() {
        return header;
    }

    void update(byte[] b, int off, int len) {
        if (crc != null) {
            crc.update(b, off, len);
        } else {
            digest.update(b, off, len);
        }
    }

    /** Base64 of the big-endian value, as the header carries it. */
    String value() {
        byte[] bytes = crc != null ? ByteBuffer.allocate(4).putInt((int) crc.getValue()).array() : digest.digest();
        return Base64.getEncoder().encodeToString(bytes);
    }

    /** Throws, as the body's last read, when the computed value is not {@code expected}. */
    void verify(String expected) throws S3BodyException {
        String actual = value();
        if (!actual.equals(expected.strip())) {
            throw new S3BodyException(400, "BadDigest", "the " + header + " you specified (" + expected.strip()
                + ") did not match the body received (" + actual + "); nothing was stored");
        }
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is part of every JDK", e);
        }
    }
}
