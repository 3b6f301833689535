package dev.kelp.agent.encryption;

import java.io.IOException;
import java.io.InputStream;
import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Reads a plaintext stream as the encrypted blob: the header, then each segment sealed as it
 * is read, one segment in memory at a time. The plaintext must hold exactly the size the
 * header declares; more or fewer bytes fail the read (the blob would not decrypt). Given the
 * same header and key it yields the same bytes again, so an upload retried from the start
 * sends the same blob.
 */
final class EncryptingStream extends InputStream {

    private final InputStream plaintext;
    private final BlobHeader header;
    private final SecretKey dataKey;
    private final long segments;
    private final Cipher gcm;
    private final byte[] in = new byte[SegmentFormat.SEGMENT_BYTES];
    private final byte[] sealed = new byte[SegmentFormat.SEGMENT_BYTES + SegmentFormat.TAG_BYTES];
    private byte[] out;
    private int outLength;
    private int position;
    private long next;
    private boolean headerSent;

    EncryptingStream(InputStream plaintext, BlobHeader header, SecretKey dataKey) {
        this.plaintext = plaintext;
        this.header = header;
        this.dataKey = dataKey;
        this.segments = SegmentFormat.segments(header.plaintextSize());
        this.out = new byte[0];
        try {
            this.gcm = Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
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
        while (position == outLength) {
            if (!fill()) {
                return -1;
            }
        }
        int n = Math.min(len, outLength - position);
        System.arraycopy(out, position, b, off, n);
        position += n;
        return n;
    }

    private boolean fill() throws IOException {
        if (!headerSent) {
            headerSent = true;
            out = header.encode();
            outLength = out.length;
        } else if (next < segments) {
            int length = SegmentFormat.plaintextOf(next, header.plaintextSize());
            int read = plaintext.readNBytes(in, 0, length);
            if (read != length) {
                throw new IOException("the content ended at " + (next * SegmentFormat.SEGMENT_BYTES + read)
                    + " bytes, before the " + header.plaintextSize() + " declared");
            }
            out = sealed;
            outLength = seal(length);
            next++;
            if (next == segments && plaintext.read() != -1) {
                throw new IOException("the content is longer than the " + header.plaintextSize() + " bytes declared");
            }
        } else {
            return false;
        }
        position = 0;
        return true;
    }

    /** Seals the segment in {@code in} into {@code sealed}; its length. */
    private int seal(int length) {
        try {
            byte[] nonce = SegmentFormat.nonce(header.noncePrefix(), next, header.plaintextSize());
            gcm.init(Cipher.ENCRYPT_MODE, dataKey, new GCMParameterSpec(SegmentFormat.TAG_BYTES * 8, nonce));
            return gcm.doFinal(in, 0, length, sealed, 0);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("sealing segment " + next + " failed", e);
        }
    }

    @Override
    public void close() throws IOException {
        plaintext.close();
    }
}
