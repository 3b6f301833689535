package dev.kelp.agent.encryption;

import java.io.InputStream;
import javax.crypto.SecretKey;

/**
 * One blob being encrypted: its fresh data key and header. {@link #encrypt} may be called
 * more than once (an upload retried) and yields the same bytes each time.
 */
public final class Sealing {

    private final BlobHeader header;
    private final SecretKey dataKey;

    Sealing(BlobHeader header, SecretKey dataKey) {
        this.header = header;
        this.dataKey = dataKey;
    }

    /** Bytes of the encrypted blob. */
    public long storedSize() {
        return SegmentFormat.storedSize(header.plaintextSize());
    }

    /** The encrypted blob, read from {@code plaintext} (which it closes). */
    public InputStream encrypt(InputStream plaintext) {
        return new EncryptingStream(plaintext, header, dataKey);
    }

    byte[] kekId() {
        return header.kekId();
    }
}
