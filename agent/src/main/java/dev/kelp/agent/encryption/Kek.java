package dev.kelp.agent.encryption;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * A key-encryption key: 32 bytes that wrap the data keys of blobs, and its id, the first 8
 * bytes of SHA-256("kelp-kek-v1" || key). The id is stored beside every wrapped data key so
 * that the right key is picked after a rotation; it names the key without revealing it.
 * {@link #toString()} prints the id only.
 */
public final class Kek {

    public static final int BYTES = 32;
    static final int ID_BYTES = 8;

    private final SecretKey key;
    private final byte[] id;

    public Kek(byte[] key) {
        if (key.length != BYTES) {
            throw new IllegalArgumentException("an encryption key is " + BYTES + " bytes, not " + key.length);
        }
        this.key = new SecretKeySpec(key.clone(), "AES");
        this.id = fingerprint(key);
    }

    SecretKey key() {
        return key;
    }

    byte[] id() {
        return id.clone();
    }

    /** The id as 16 hex digits, as logs, metrics and errors show it. */
    public String idHex() {
        return HexFormat.of().formatHex(id);
    }

    static String hex(byte[] id) {
        return HexFormat.of().formatHex(id);
    }

    private static byte[] fingerprint(byte[] key) {
        try {
            var sha = MessageDigest.getInstance("SHA-256");
            sha.update("kelp-kek-v1".getBytes(StandardCharsets.US_ASCII));
            byte[] digest = sha.digest(key);
            byte[] out = new byte[ID_BYTES];
            System.arraycopy(digest, 0, out, 0, ID_BYTES);
            return out;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "Kek[" + idHex() + "]";
    }
}
