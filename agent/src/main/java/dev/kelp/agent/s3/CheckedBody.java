package dev.kelp.agent.s3;

import dev.kelp.agent.object.ContentHash;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;

/**
 * A decoded request body on its way to the engine: computes its MD5 (S3's ETag) and checks
 * what the client declared about it (Content-MD5, a hex x-amz-content-sha256, an
 * x-amz-checksum-* header) when it ends. A mismatch is thrown instead of end of stream, so the
 * engine discards the staged body and stores nothing. The first failure is kept, so the door
 * can answer with its S3 code although the engine saw only an IOException.
 */
final class CheckedBody extends FilterInputStream {

    private final MessageDigest md5 = digest("MD5");
    private final MessageDigest sha256;
    private final String expectedSha256;
    private final String sha256ForReader;
    private final byte[] expectedMd5;
    private final PayloadChecksum checksum;
    private final String expectedChecksum;
    private final long expectedLength;
    private long length;
    private boolean ended;
    private S3BodyException failure;

    /**
     * @param contentMd5       the Content-MD5 header (base64), or null
     * @param expectedSha256   a hex x-amz-content-sha256, or null when the payload is unsigned or chunked
     * @param checksumHeader   an x-amz-checksum-* header name, or null
     * @param expectedLength   bytes the client declared the decoded body holds, or -1
     */
    CheckedBody(InputStream in, String contentMd5, String expectedSha256, String checksumHeader, String checksumValue, long expectedLength) {
        this(in, contentMd5, expectedSha256, checksumHeader, checksumValue, expectedLength, false);
    }

    /**
     * @param readerHashes the reader computes the SHA-256 of these bytes anyway (staging does) and
     *                     checks a hex x-amz-content-sha256 with {@link #checkSha256} itself, so
     *                     the body is hashed once rather than twice
     */
    CheckedBody(InputStream in, String contentMd5, String expectedSha256, String checksumHeader, String checksumValue, long expectedLength,
                boolean readerHashes) {
        super(in);
        this.expectedMd5 = decodeMd5(contentMd5);
        this.expectedSha256 = readerHashes ? null : expectedSha256;
        this.sha256ForReader = readerHashes ? expectedSha256 : null;
        this.sha256 = this.expectedSha256 == null ? null : SigV4.sha256();
        this.checksum = checksumHeader == null ? null : PayloadChecksum.forHeader(checksumHeader);
        this.expectedChecksum = checksumValue;
        this.expectedLength = expectedLength;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (failure != null) {
            throw failure;
        }
        int n;
        try {
            n = in.read(b, off, len);
        } catch (S3BodyException e) {
            failure = e;
            throw e;
        }
        if (n < 0) {
            if (!ended) {
                ended = true;
                verify();
            }
            return -1;
        }
        md5.update(b, off, n);
        if (sha256 != null) {
            sha256.update(b, off, n);
        }
        if (checksum != null) {
            checksum.update(b, off, n);
        }
        length += n;
        return n;
    }

    private void verify() throws S3BodyException {
        try {
            if (expectedLength >= 0 && length != expectedLength) {
                throw new S3BodyException(400, "IncompleteBody", "the body held " + length + " bytes, not the " + expectedLength
                    + " declared: nothing was stored");
            }
            byte[] actualMd5 = md5.digest();
            md5Hex = HexFormat.of().formatHex(actualMd5);
            if (expectedMd5 != null && !MessageDigest.isEqual(expectedMd5, actualMd5)) {
                throw new S3BodyException(400, "BadDigest", "the Content-MD5 you specified did not match what was received: nothing was stored");
            }
            if (sha256 != null && !SigV4.hex(sha256.digest()).equalsIgnoreCase(expectedSha256)) {
                throw sha256Mismatch();
            }
            if (checksum != null) {
                checksum.verify(expectedChecksum);
            }
        } catch (S3BodyException e) {
            failure = e;
            throw e;
        }
    }

    /**
     * Checks the hex x-amz-content-sha256 left to the reader against {@code read}, the SHA-256 it
     * computed of this body's bytes. Nothing to check when the client sent none.
     */
    void checkSha256(ContentHash read) {
        if (sha256ForReader != null && !sha256ForReader.equalsIgnoreCase(read.hex())) {
            throw sha256Mismatch().error();
        }
    }

    private static S3BodyException sha256Mismatch() {
        return new S3BodyException(400, "XAmzContentSHA256Mismatch",
            "the x-amz-content-sha256 you specified did not match what was received: nothing was stored");
    }

    private String md5Hex;

    /** Lower-case hex MD5 of the whole body, once it has been read to its end. */
    String md5Hex() {
        if (md5Hex == null) {
            throw new IllegalStateException("the body has not been read to its end");
        }
        return md5Hex;
    }

    /** The check the body failed, if it failed one. */
    S3BodyException failure() {
        return failure;
    }

    private static byte[] decodeMd5(String contentMd5) {
        if (contentMd5 == null) {
            return null;
        }
        try {
            byte[] bytes = Base64.getDecoder().decode(contentMd5.strip());
            if (bytes.length != 16) {
                throw new S3Exception(400, "InvalidDigest", "Content-MD5 must be the base64 of 16 bytes");
            }
            return bytes;
        } catch (IllegalArgumentException e) {
            throw new S3Exception(400, "InvalidDigest", "Content-MD5 is not valid base64");
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
