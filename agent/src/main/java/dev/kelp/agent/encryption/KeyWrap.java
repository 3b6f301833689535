package dev.kelp.agent.encryption;

import dev.kelp.agent.object.ContentHash;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Wraps a blob's 32-byte data key with a {@link Kek}: AES-256-GCM, a random 12-byte nonce,
 * 60 bytes out (nonce, wrapped key, tag). The associated data binds the wrapped key to the
 * blob's header fields, to the id of the key that wrapped it, and to the blob's bucket and
 * name, so a key record moved to another blob, or a header edited, fails to unwrap.
 */
final class KeyWrap {

    static final int DATA_KEY_BYTES = 32;
    static final int WRAPPED_BYTES = SegmentFormat.NONCE_BYTES + DATA_KEY_BYTES + SegmentFormat.TAG_BYTES;
    private static final byte[] LABEL = "kelp-dek-v1".getBytes(StandardCharsets.US_ASCII);
    private static final SecureRandom RANDOM = new SecureRandom();

    private KeyWrap() {
    }

    static byte[] wrap(Kek kek, byte[] dataKey, byte[] headerFields, String bucket, ContentHash hash) {
        byte[] nonce = new byte[SegmentFormat.NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
            gcm.init(Cipher.ENCRYPT_MODE, kek.key(), new GCMParameterSpec(SegmentFormat.TAG_BYTES * 8, nonce));
            gcm.updateAAD(aad(headerFields, kek.id(), bucket, hash));
            byte[] sealed = gcm.doFinal(dataKey);
            byte[] out = new byte[WRAPPED_BYTES];
            System.arraycopy(nonce, 0, out, 0, nonce.length);
            System.arraycopy(sealed, 0, out, nonce.length, sealed.length);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    /** The data key, or {@link BlobIntegrityException} when the record does not authenticate. */
    static byte[] unwrap(Kek kek, byte[] wrapped, byte[] headerFields, String bucket, ContentHash hash) {
        try {
            Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
            gcm.init(Cipher.DECRYPT_MODE, kek.key(), new GCMParameterSpec(SegmentFormat.TAG_BYTES * 8, wrapped, 0, SegmentFormat.NONCE_BYTES));
            gcm.updateAAD(aad(headerFields, kek.id(), bucket, hash));
            return gcm.doFinal(wrapped, SegmentFormat.NONCE_BYTES, wrapped.length - SegmentFormat.NONCE_BYTES);
        } catch (AEADBadTagException e) {
            throw new BlobIntegrityException(bucket, hash, "its wrapped data key does not authenticate under key " + kek.idHex()
                + " (the header or key record was altered, or belongs to another blob)");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    private static byte[] aad(byte[] headerFields, byte[] kekId, String bucket, ContentHash hash) {
        var out = new ByteArrayOutputStream();
        out.writeBytes(LABEL);
        out.writeBytes(headerFields);
        out.writeBytes(kekId);
        out.writeBytes(bucket.getBytes(StandardCharsets.UTF_8));
        out.write(0);
        out.writeBytes(hash.hex().getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }
}
