package dev.kelp.agent.s3;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The arithmetic of AWS Signature Version 4 as S3 uses it: canonical request, string to
 * sign, signing key, and the chained signatures of aws-chunked bodies. Pure functions, so the
 * verifier and the tests (AWS's published examples, aws-sdk-java-v2's own signer) share them.
 */
final class SigV4 {

    static final String ALGORITHM = "AWS4-HMAC-SHA256";
    static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    private static final HexFormat HEX = HexFormat.of();

    private SigV4() {
    }

    /**
     * The canonical request.
     *
     * @param canonicalUri   the path, URI-encoded once ({@link #encodePath})
     * @param query          decoded query parameters, in any order (the signature parameter already left out)
     * @param headers        lower-case names of the signed headers with their values, in signed-headers order
     */
    static String canonicalRequest(String method, String canonicalUri, List<Map.Entry<String, String>> query,
                                   List<Map.Entry<String, String>> headers, String payloadHash) {
        var sb = new StringBuilder(256);
        sb.append(method).append('\n').append(canonicalUri).append('\n');
        List<String[]> encoded = new ArrayList<>(query.size());
        for (var e : query) {
            encoded.add(new String[] {encode(e.getKey(), true), encode(e.getValue() == null ? "" : e.getValue(), true)});
        }
        encoded.sort((a, b) -> a[0].equals(b[0]) ? a[1].compareTo(b[1]) : a[0].compareTo(b[0]));
        for (int i = 0; i < encoded.size(); i++) {
            if (i > 0) {
                sb.append('&');
            }
            sb.append(encoded.get(i)[0]).append('=').append(encoded.get(i)[1]);
        }
        sb.append('\n');
        var names = new StringBuilder();
        for (var h : headers) {
            sb.append(h.getKey()).append(':').append(trimAll(h.getValue())).append('\n');
            if (!names.isEmpty()) {
                names.append(';');
            }
            names.append(h.getKey());
        }
        sb.append('\n').append(names).append('\n').append(payloadHash);
        return sb.toString();
    }

    static String stringToSign(String amzDate, String scope, String canonicalRequest) {
        return ALGORITHM + "\n" + amzDate + "\n" + scope + "\n" + sha256Hex(canonicalRequest.getBytes(StandardCharsets.UTF_8));
    }

    /** The string an aws-chunked body's chunk is signed with, chained to the previous signature. */
    static String chunkStringToSign(String amzDate, String scope, String previousSignature, String chunkSha256) {
        return ALGORITHM + "-PAYLOAD\n" + amzDate + "\n" + scope + "\n" + previousSignature + "\n" + EMPTY_SHA256 + "\n" + chunkSha256;
    }

    /** The string the trailing headers of a signed aws-chunked body are signed with. */
    static String trailerStringToSign(String amzDate, String scope, String previousSignature, String trailerSha256) {
        return ALGORITHM + "-TRAILER\n" + amzDate + "\n" + scope + "\n" + previousSignature + "\n" + trailerSha256;
    }

    static byte[] signingKey(String secret, String date, String region, String service) {
        byte[] key = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), date);
        key = hmac(key, region);
        key = hmac(key, service);
        return hmac(key, "aws4_request");
    }

    static String sign(byte[] signingKey, String stringToSign) {
        return HEX.formatHex(hmac(signingKey, stringToSign));
    }

    static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    static String sha256Hex(byte[] data) {
        return HEX.formatHex(sha256().digest(data));
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    static String hex(byte[] bytes) {
        return HEX.formatHex(bytes);
    }

    /** Whether two signatures are equal, in time that does not depend on where they differ. */
    static boolean same(String expected, String given) {
        return given != null && MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), given.getBytes(StandardCharsets.US_ASCII));
    }

    /** A decoded path, encoded as S3's canonical URI: every byte but unreserved ones and '/' as %XX. */
    static String encodePath(String decodedPath) {
        return encode(decodedPath, false);
    }

    /** RFC 3986 encoding as SigV4 wants it: unreserved characters stay, the rest is %XX of its UTF-8 bytes. */
    static String encode(String value, boolean encodeSlash) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        var sb = new StringBuilder(bytes.length + 16);
        for (byte b : bytes) {
            int c = b & 0xff;
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~'
                || (c == '/' && !encodeSlash)) {
                sb.append((char) c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16))).append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return sb.toString();
    }

    /** Header values are signed trimmed, with runs of spaces folded to one. */
    private static String trimAll(String value) {
        String v = value.strip();
        if (v.indexOf("  ") < 0) {
            return v;
        }
        return v.replaceAll(" {2,}", " ");
    }
}
