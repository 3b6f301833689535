package dev.kelp.agent.s3;

import java.io.InputStream;
import java.util.Map;

/**
 * Turns the raw body of a write into what the engine reads: aws-chunked framing removed and
 * its signatures checked, then {@link CheckedBody}'s MD5 and declared-digest checks.
 */
final class RequestBodies {

    private RequestBodies() {
    }

    static CheckedBody decode(S3Request request, SigV4Verifier.Verified verified, InputStream raw) {
        return decode(request, verified, raw, false);
    }

    /**
     * As {@link #decode}, for a body that is staged, which hashes it: its hex
     * x-amz-content-sha256 is left to {@link CheckedBody#checkSha256} with the staged hash.
     */
    static CheckedBody decodeForStaging(S3Request request, SigV4Verifier.Verified verified, InputStream raw) {
        return decode(request, verified, raw, true);
    }

    private static CheckedBody decode(S3Request request, SigV4Verifier.Verified verified, InputStream raw, boolean staged) {
        InputStream decoded = raw;
        long declared = length(request.header("content-length"));
        if (verified.chunked()) {
            long decodedLength = length(request.header("x-amz-decoded-content-length"));
            decoded = new AwsChunkedInputStream(raw, verified.signing(), verified.trailer(), decodedLength, request.header("x-amz-trailer"));
            declared = decodedLength;
        }
        String checksumHeader = null;
        String checksumValue = null;
        for (Map.Entry<String, String> h : request.headers()) {
            if (PayloadChecksum.isChecksumHeader(h.getKey()) && PayloadChecksum.forHeader(h.getKey()) != null) {
                checksumHeader = h.getKey();
                checksumValue = h.getValue();
            }
        }
        return new CheckedBody(decoded, request.header("content-md5"), verified.bodySha256(), checksumHeader, checksumValue, declared, staged);
    }

    /** Bytes the decoded body declares, or -1 when the client did not say. */
    static long declaredLength(S3Request request, SigV4Verifier.Verified verified) {
        return verified.chunked() ? length(request.header("x-amz-decoded-content-length")) : length(request.header("content-length"));
    }

    private static long length(String header) {
        if (header == null) {
            return -1;
        }
        try {
            long n = Long.parseLong(header.strip());
            if (n < 0) {
                throw S3Exception.invalidArgument("a length must not be negative: " + header);
            }
            return n;
        } catch (NumberFormatException e) {
            throw S3Exception.invalidArgument("not a length: " + header);
        }
    }
}
