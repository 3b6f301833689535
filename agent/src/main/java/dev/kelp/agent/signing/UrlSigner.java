package dev.kelp.agent.signing;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs and checks agent URLs with HMAC-SHA256. The signature covers the method, bucket, key
 * and expiry, each on a line of its own after a version tag, so no two different requests
 * share a string to sign (a key may contain anything but control characters, so a newline
 * cannot be smuggled from one field into the next).
 */
public final class UrlSigner {

    static final String VERSION = "KELP1-HMAC-SHA256";

    public enum Verdict { VALID, EXPIRED, MISMATCH }

    private final SecretKeySpec key;
    private final Clock clock;

    public UrlSigner(byte[] key, Clock clock) {
        this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
        this.clock = clock;
    }

    public String sign(String method, String bucket, String objectKey, Instant expires) {
        return HexFormat.of().formatHex(mac(stringToSign(method, bucket, objectKey, expires.getEpochSecond())));
    }

    /**
     * Checks a signature. A forged or altered URL is a MISMATCH whatever its expiry says; only
     * a genuine URL whose time has passed is EXPIRED, so the caller can say which it was.
     */
    public Verdict verify(String method, String bucket, String objectKey, long expiresEpochSecond, String signatureHex) {
        byte[] given;
        try {
            given = HexFormat.of().parseHex(signatureHex);
        } catch (IllegalArgumentException notHex) {
            return Verdict.MISMATCH;
        }
        byte[] expected = mac(stringToSign(method, bucket, objectKey, expiresEpochSecond));
        if (!MessageDigest.isEqual(expected, given)) {
            return Verdict.MISMATCH;
        }
        return clock.instant().getEpochSecond() > expiresEpochSecond ? Verdict.EXPIRED : Verdict.VALID;
    }

    Instant now() {
        return clock.instant();
    }

    static String stringToSign(String method, String bucket, String objectKey, long expiresEpochSecond) {
        return VERSION + "\n" + method + "\n" + bucket + "\n" + objectKey + "\n" + expiresEpochSecond;
    }

    private byte[] mac(String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
