package dev.kelp.agent.encryption;

import dev.kelp.agent.object.ContentHash;
import java.io.IOException;
import java.io.InputStream;
import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * The plaintext of a byte range of an encrypted blob, read from a ciphertext stream that
 * starts at the first segment the range touches: each segment is authenticated before a byte
 * of it is handed out, one segment in memory at a time. A segment that fails (altered,
 * missing, out of place, cut short) ends the read with an IOException, never with wrong
 * bytes; the first one is checked as the stream is opened, so a blob that is bad from its
 * start is refused before any response is sent.
 */
final class DecryptingStream extends InputStream {

    private final InputStream ciphertext;
    private final BlobHeader header;
    private final SecretKey dataKey;
    private final String bucket;
    private final ContentHash hash;
    private final boolean toTheEnd;
    private final Cipher gcm;
    private final byte[] in = new byte[SegmentFormat.SEGMENT_BYTES + SegmentFormat.TAG_BYTES];
    private final byte[] out = new byte[SegmentFormat.SEGMENT_BYTES];
    private int outLength;
    private int position;
    private long next;
    private long remaining;
    private IOException failed;

    /**
     * @param ciphertext positioned at segment {@code offset / SEGMENT_BYTES}
     * @param length     bytes wanted, {@code < 0} to the end
     */
    static DecryptingStream open(InputStream ciphertext, BlobHeader header, SecretKey dataKey, String bucket, ContentHash hash,
                                 long offset, long length) throws IOException {
        var stream = new DecryptingStream(ciphertext, header, dataKey, bucket, hash, offset, length);
        try {
            stream.first(offset);
            return stream;
        } catch (CorruptSegmentException e) {
            closeQuietly(stream);
            throw (BlobIntegrityException) e.getCause();
        } catch (IOException | RuntimeException e) {
            closeQuietly(stream);
            throw e;
        }
    }

    private DecryptingStream(InputStream ciphertext, BlobHeader header, SecretKey dataKey, String bucket, ContentHash hash,
                             long offset, long length) {
        this.ciphertext = ciphertext;
        this.header = header;
        this.dataKey = dataKey;
        this.bucket = bucket;
        this.hash = hash;
        long available = header.plaintextSize() - offset;
        this.toTheEnd = length < 0 || length >= available;
        this.remaining = toTheEnd ? available : length;
        this.next = offset / SegmentFormat.SEGMENT_BYTES;
        try {
            this.gcm = Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    private void first(long offset) throws IOException {
        if (next < SegmentFormat.segments(header.plaintextSize()) && (remaining > 0 || toTheEnd)) {
            openNext();
            position = (int) Math.min(offset % SegmentFormat.SEGMENT_BYTES, outLength);
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (failed != null) {
            // A caller that reads on after a failure gets the failure again, never what follows it.
            throw failed;
        }
        if (remaining <= 0) {
            return -1;
        }
        try {
            while (position == outLength) {
                openNext();
            }
        } catch (IOException e) {
            failed = e;
            throw e;
        }
        int n = (int) Math.min(Math.min(len, outLength - position), remaining);
        System.arraycopy(out, position, b, off, n);
        position += n;
        remaining -= n;
        return n;
    }

    private void openNext() throws IOException {
        long segments = SegmentFormat.segments(header.plaintextSize());
        if (next >= segments) {
            throw new CorruptSegmentException(integrity("it ends after its last segment was read"));
        }
        int plain = SegmentFormat.plaintextOf(next, header.plaintextSize());
        int length = plain + SegmentFormat.TAG_BYTES;
        int read = ciphertext.readNBytes(in, 0, length);
        if (read != length) {
            throw new CorruptSegmentException(integrity("it is cut short in segment " + next + " (" + read + " of " + length + " bytes)"));
        }
        try {
            byte[] nonce = SegmentFormat.nonce(header.noncePrefix(), next, header.plaintextSize());
            gcm.init(Cipher.DECRYPT_MODE, dataKey, new GCMParameterSpec(SegmentFormat.TAG_BYTES * 8, nonce));
            outLength = gcm.doFinal(in, 0, length, out, 0);
        } catch (AEADBadTagException e) {
            throw new CorruptSegmentException(integrity("segment " + next + " does not authenticate (altered, moved or truncated)"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("opening segment " + next + " failed", e);
        }
        position = 0;
        next++;
        if (next == segments && toTheEnd && ciphertext.read() != -1) {
            throw new CorruptSegmentException(integrity("it has bytes after its last segment"));
        }
    }

    private BlobIntegrityException integrity(String why) {
        return new BlobIntegrityException(bucket, hash, why);
    }

    @Override
    public void close() throws IOException {
        ciphertext.close();
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // Already failing.
        }
    }
}
