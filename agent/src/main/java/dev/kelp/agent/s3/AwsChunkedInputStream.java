package dev.kelp.agent.s3;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Decodes an {@code aws-chunked} body ({@code STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]},
 * {@code STREAMING-UNSIGNED-PAYLOAD-TRAILER}) while it streams: chunk data passes straight
 * through, each chunk's signature is checked against the chain that starts at the request's
 * signature when it ends, and the trailing checksum and its signature after the last chunk.
 * Every failure is thrown before end of stream, so a body that fails a check is never stored.
 * Memory: one header line.
 */
final class AwsChunkedInputStream extends InputStream {

    private static final int MAX_LINE = 4096;

    /** How chunk and trailer signatures are computed; null for unsigned bodies or {@code kelp.s3.auth: none}. */
    record Signing(byte[] signingKey, String amzDate, String scope, String seedSignature) {
    }

    private final InputStream in;
    private final Signing signing;
    private final boolean trailer;
    private final long decodedLength;
    private final MessageDigest chunkDigest = SigV4.sha256();
    private String previousSignature;
    private String chunkSignature;
    private PayloadChecksum trailerChecksum;
    private long remainingInChunk;
    private long decoded;
    private boolean done;

    /**
     * @param trailer        whether trailing headers follow the last chunk
     * @param decodedLength  x-amz-decoded-content-length, or -1 when the client did not send it
     * @param expectedTrailer the checksum header the client announced in x-amz-trailer, or null
     */
    AwsChunkedInputStream(InputStream in, Signing signing, boolean trailer, long decodedLength, String expectedTrailer) {
        this.in = in;
        this.signing = signing;
        this.trailer = trailer;
        this.decodedLength = decodedLength;
        this.previousSignature = signing == null ? null : signing.seedSignature();
        if (expectedTrailer != null) {
            trailerChecksum = PayloadChecksum.forHeader(expectedTrailer.strip());
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (!done && remainingInChunk == 0) {
            startChunk();
        }
        if (done) {
            return -1;
        }
        int n = in.read(b, off, (int) Math.min(len, remainingInChunk));
        if (n < 0) {
            throw incomplete("the body ended inside a chunk");
        }
        chunkDigest.update(b, off, n);
        if (trailerChecksum != null) {
            trailerChecksum.update(b, off, n);
        }
        remainingInChunk -= n;
        decoded += n;
        if (remainingInChunk == 0) {
            expectCrlf();
            verifyChunk();
        }
        return n;
    }

    private void startChunk() throws IOException {
        String line = readLine();
        if (line == null) {
            throw incomplete("the body ended before its last (zero-length) chunk");
        }
        String sizePart = line;
        chunkSignature = null;
        int semi = line.indexOf(';');
        if (semi >= 0) {
            sizePart = line.substring(0, semi);
            String ext = line.substring(semi + 1).strip();
            if (ext.startsWith("chunk-signature=")) {
                chunkSignature = ext.substring("chunk-signature=".length());
            }
        }
        long size;
        try {
            size = Long.parseLong(sizePart.strip(), 16);
        } catch (NumberFormatException e) {
            throw new S3BodyException(400, "IncompleteBody", "malformed aws-chunked chunk header: " + abbreviate(line));
        }
        if (size < 0) {
            throw new S3BodyException(400, "IncompleteBody", "negative aws-chunked chunk size");
        }
        if (signing != null && chunkSignature == null) {
            throw new S3BodyException(403, "SignatureDoesNotMatch", "a chunk of a signed aws-chunked body carries no chunk-signature");
        }
        if (size > 0) {
            remainingInChunk = size;
            return;
        }
        verifyChunk();
        if (trailer) {
            readTrailers();
        } else {
            expectCrlf();
        }
        if (decodedLength >= 0 && decoded != decodedLength) {
            throw new S3BodyException(400, "IncompleteBody", "x-amz-decoded-content-length says " + decodedLength
                + " bytes but the chunks held " + decoded);
        }
        done = true;
    }

    private void verifyChunk() throws S3BodyException {
        String dataHash = SigV4.hex(chunkDigest.digest());
        if (signing == null) {
            return;
        }
        String expected = SigV4.sign(signing.signingKey(),
            SigV4.chunkStringToSign(signing.amzDate(), signing.scope(), previousSignature, dataHash));
        if (!SigV4.same(expected, chunkSignature)) {
            throw new S3BodyException(403, "SignatureDoesNotMatch", "the signature of a chunk of the aws-chunked body does not match:"
                + " the body was altered, or signed with another key");
        }
        previousSignature = expected;
    }

    private void readTrailers() throws IOException {
        List<String[]> trailers = new ArrayList<>();
        String trailerSignature = null;
        String line;
        while ((line = readLine()) != null && !line.isEmpty()) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new S3BodyException(400, "IncompleteBody", "malformed trailing header: " + abbreviate(line));
            }
            String name = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).strip();
            if (name.equals("x-amz-trailer-signature")) {
                trailerSignature = value;
            } else {
                trailers.add(new String[] {name, value});
            }
        }
        if (line == null) {
            throw incomplete("the body ended inside its trailing headers");
        }
        if (signing != null) {
            var canonical = new StringBuilder();
            for (String[] t : trailers) {
                canonical.append(t[0]).append(':').append(t[1]).append('\n');
            }
            String expected = SigV4.sign(signing.signingKey(), SigV4.trailerStringToSign(signing.amzDate(), signing.scope(),
                previousSignature, SigV4.sha256Hex(canonical.toString().getBytes(StandardCharsets.UTF_8))));
            if (!SigV4.same(expected, trailerSignature)) {
                throw new S3BodyException(403, "SignatureDoesNotMatch", "the signature of the body's trailing headers does not match");
            }
        }
        for (String[] t : trailers) {
            if (PayloadChecksum.isChecksumHeader(t[0])) {
                if (trailerChecksum != null && trailerChecksum.header().equals(t[0])) {
                    trailerChecksum.verify(t[1]);
                }
            }
        }
    }

    private void expectCrlf() throws IOException {
        int cr = in.read();
        int lf = in.read();
        if (cr != '\r' || lf != '\n') {
            throw cr < 0 || lf < 0 ? incomplete("the body ended after a chunk's data")
                : new S3BodyException(400, "IncompleteBody", "an aws-chunked chunk is longer than its header says");
        }
    }

    /** A CRLF-terminated line (CR optional), or null at end of stream before any byte. */
    private String readLine() throws IOException {
        var sb = new StringBuilder();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                int end = sb.length();
                if (end > 0 && sb.charAt(end - 1) == '\r') {
                    sb.setLength(end - 1);
                }
                return sb.toString();
            }
            if (sb.length() >= MAX_LINE) {
                throw new S3BodyException(400, "IncompleteBody", "an aws-chunked header line is longer than " + MAX_LINE + " bytes");
            }
            sb.append((char) c);
        }
        if (sb.isEmpty()) {
            return null;
        }
        throw incomplete("the body ended inside a chunk header");
    }

    private static S3BodyException incomplete(String what) {
        return new S3BodyException(400, "IncompleteBody", what + ": nothing was stored");
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
