package dev.kelp.agent.access;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

/**
 * The credentials the agent accepts and the owner each names: bearer tokens of the native API
 * (kept by their SHA-256 only, so a lookup compares no secret byte by byte), S3 access keys, and
 * per-owner quotas. Immutable: a reload makes a new one.
 */
public record Principals(Map<String, Caller> tokensBySha256, Map<String, S3Key> s3Keys, Map<String, OwnerQuota> quotas) {

    /** An S3 access key: its secret and the caller it identifies. */
    public record S3Key(String accessKeyId, String secretAccessKey, Caller caller) {

        @Override
        public String toString() {
            return "S3Key[" + accessKeyId + " -> " + caller.owner() + "]";
        }
    }

    public static final Principals NONE = new Principals(Map.of(), Map.of(), Map.of());

    public Principals {
        tokensBySha256 = Map.copyOf(tokensBySha256);
        s3Keys = Map.copyOf(s3Keys);
        quotas = Map.copyOf(quotas);
    }

    /** Whether the native API asks for a bearer token: at least one is configured. */
    public boolean tokensRequired() {
        return !tokensBySha256.isEmpty();
    }

    public Optional<Caller> byToken(String token) {
        return Optional.ofNullable(tokensBySha256.get(sha256(token)));
    }

    public Optional<S3Key> byAccessKey(String accessKeyId) {
        return Optional.ofNullable(s3Keys.get(accessKeyId));
    }

    /** The owner's own quota from the principals file, if it has one. */
    public Optional<OwnerQuota> quotaOf(String owner) {
        return Optional.ofNullable(quotas.get(owner));
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    @Override
    public String toString() {
        return "Principals[" + tokensBySha256.size() + " token(s), s3 keys " + s3Keys.keySet() + ", quotas " + quotas + "]";
    }
}
