package dev.kelp.agent.s3;

import dev.kelp.agent.access.Caller;
import dev.kelp.agent.access.Principals.S3Key;
import java.util.Optional;
import java.util.function.Function;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Verifies a request's AWS Signature V4 against the one configured key pair, in header form
 * ({@code Authorization: AWS4-HMAC-SHA256 ...}) or query-string form (presigned URLs), and says
 * how its body is to be read ({@link Verified#payload()}). With {@code kelp.s3.auth: none}
 * nothing is checked, but the body is still decoded as the client framed it.
 */
final class SigV4Verifier {

    static final String UNSIGNED = "UNSIGNED-PAYLOAD";
    static final String STREAMING_SIGNED = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
    static final String STREAMING_SIGNED_TRAILER = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
    static final String STREAMING_UNSIGNED_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
    static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final long MAX_PRESIGN_SECONDS = 7 * 24 * 3600;

    /**
     * What verification established.
     *
     * @param payload  the x-amz-content-sha256 value (a hex SHA-256, UNSIGNED-PAYLOAD or a STREAMING-* framing)
     * @param signing  how to verify chunk signatures; null when they are not to be verified
     */
    record Verified(String payload, AwsChunkedInputStream.Signing signing, Caller caller) {

        Verified(String payload, AwsChunkedInputStream.Signing signing) {
            this(payload, signing, Caller.anonymous());
        }

        boolean chunked() {
            return payload.startsWith("STREAMING-");
        }

        boolean trailer() {
            return payload.endsWith("-TRAILER");
        }

        /** The body's SHA-256 the client signed, or null when the body is unsigned or chunked. */
        String bodySha256() {
            return payload.length() == 64 && payload.chars().allMatch(c -> Character.digit(c, 16) >= 0) ? payload.toLowerCase(Locale.ROOT) : null;
        }
    }

    private final S3Config config;
    private final Function<String, Optional<S3Key>> keys;

    /** Accepts the one key pair of {@code config}, for the default owner. */
    SigV4Verifier(S3Config config) {
        this(config, id -> id.equals(config.accessKeyId()) && config.secretAccessKey() != null
            ? Optional.of(new S3Key(id, config.secretAccessKey(), Caller.of(Caller.DEFAULT_OWNER, "s3:" + id)))
            : Optional.empty());
    }

    /** Accepts every key {@code keys} knows (docs/access-control.md), each naming its owner. */
    SigV4Verifier(S3Config config, Function<String, Optional<S3Key>> keys) {
        this.config = config;
        this.keys = keys;
    }

    Verified verify(S3Request request, Instant now) {
        String authorization = request.header("authorization");
        String payload = payloadOf(request);
        if (!config.signed()) {
            return new Verified(payload, null);
        }
        if (authorization != null) {
            return verifyHeader(request, authorization, payload, now);
        }
        if (request.has("X-Amz-Algorithm")) {
            return verifyPresigned(request, now);
        }
        throw S3Exception.accessDenied("anonymous requests are refused: sign them (AWS Signature V4) with the access key"
            + " configured as kelp.s3.access-key-id");
    }

    private static String payloadOf(S3Request request) {
        String payload = request.header("x-amz-content-sha256");
        if (payload == null) {
            payload = request.param("X-Amz-Content-Sha256");
        }
        return payload == null ? UNSIGNED : payload.strip();
    }

    private Verified verifyHeader(S3Request request, String authorization, String payload, Instant now) {
        if (authorization.startsWith("AWS ")) {
            throw S3Exception.invalidRequest("AWS Signature Version 2 is not supported: sign with Signature Version 4 (AWS4-HMAC-SHA256)");
        }
        if (!authorization.startsWith(SigV4.ALGORITHM + " ")) {
            throw new S3Exception(400, "AuthorizationHeaderMalformed", "the Authorization header must start with " + SigV4.ALGORITHM);
        }
        String credential = null;
        String signedHeaders = null;
        String signature = null;
        for (String part : authorization.substring(SigV4.ALGORITHM.length() + 1).split(",")) {
            String p = part.strip();
            if (p.startsWith("Credential=")) {
                credential = p.substring("Credential=".length());
            } else if (p.startsWith("SignedHeaders=")) {
                signedHeaders = p.substring("SignedHeaders=".length());
            } else if (p.startsWith("Signature=")) {
                signature = p.substring("Signature=".length());
            }
        }
        if (credential == null || signedHeaders == null || signature == null) {
            throw new S3Exception(400, "AuthorizationHeaderMalformed", "the Authorization header needs Credential, SignedHeaders and Signature");
        }
        if (request.header("x-amz-content-sha256") == null) {
            throw S3Exception.invalidRequest("missing required header for this request: x-amz-content-sha256");
        }
        Scope scope = Scope.parse(credential, true);
        S3Key accessKey = checkKey(scope);
        String amzDate = request.header("x-amz-date");
        Instant signedAt;
        if (amzDate != null) {
            signedAt = parseAmzDate(amzDate, false);
        } else if (request.header("date") != null) {
            signedAt = parseHttpDate(request.header("date"));
            amzDate = AMZ_DATE.format(signedAt);
        } else {
            throw S3Exception.accessDenied("AWS authentication requires a valid Date or x-amz-date header");
        }
        if (Duration.between(signedAt, now).abs().compareTo(config.maxClockSkew()) > 0) {
            throw new S3Exception(403, "RequestTimeTooSkewed", "the difference between the request time (" + signedAt
                + ") and the agent's time (" + now + ") is larger than " + config.maxClockSkew().toMinutes() + " minutes");
        }
        scope.requireDate(amzDate);
        List<Map.Entry<String, String>> headers = signedHeaderValues(request, signedHeaders);
        byte[] key = SigV4.signingKey(accessKey.secretAccessKey(), scope.date(), scope.region(), scope.service());
        String expected = matchingSignature(request, request.query(), headers, payload, amzDate, scope, key, signature);
        var signing = payload.startsWith("STREAMING-AWS4-HMAC-SHA256-PAYLOAD") ? new AwsChunkedInputStream.Signing(key, amzDate, scope.text(), expected) : null;
        return new Verified(payload, signing, accessKey.caller());
    }

    private Verified verifyPresigned(S3Request request, Instant now) {
        if (!SigV4.ALGORITHM.equals(request.param("X-Amz-Algorithm"))) {
            throw S3Exception.invalidArgument("X-Amz-Algorithm must be " + SigV4.ALGORITHM + " (only Signature Version 4 is supported)");
        }
        String credential = require(request, "X-Amz-Credential");
        String amzDate = require(request, "X-Amz-Date");
        String expiresText = require(request, "X-Amz-Expires");
        String signedHeaders = require(request, "X-Amz-SignedHeaders");
        String signature = require(request, "X-Amz-Signature");
        Scope scope = Scope.parse(credential, false);
        S3Key accessKey = checkKey(scope);
        Instant signedAt = parseAmzDate(amzDate, true);
        long expires;
        try {
            expires = Long.parseLong(expiresText);
        } catch (NumberFormatException e) {
            throw new S3Exception(403, "AuthorizationQueryParametersError", "X-Amz-Expires must be a number of seconds");
        }
        if (expires < 1 || expires > MAX_PRESIGN_SECONDS) {
            throw new S3Exception(403, "AuthorizationQueryParametersError", "X-Amz-Expires must be between 1 and " + MAX_PRESIGN_SECONDS + " seconds");
        }
        if (signedAt.minus(config.maxClockSkew()).isAfter(now)) {
            throw S3Exception.accessDenied("Request is not valid yet: it was signed for " + signedAt);
        }
        if (now.isAfter(signedAt.plusSeconds(expires))) {
            throw S3Exception.accessDenied("Request has expired: it was valid until " + signedAt.plusSeconds(expires));
        }
        scope.requireDate(amzDate);
        List<Map.Entry<String, String>> query = new ArrayList<>();
        for (var e : request.query()) {
            if (!e.getKey().equals("X-Amz-Signature")) {
                query.add(e);
            }
        }
        String payload = request.param("X-Amz-Content-Sha256") != null ? request.param("X-Amz-Content-Sha256") : UNSIGNED;
        List<Map.Entry<String, String>> headers = signedHeaderValues(request, signedHeaders);
        byte[] key = SigV4.signingKey(accessKey.secretAccessKey(), scope.date(), scope.region(), scope.service());
        matchingSignature(request, query, headers, payload, amzDate, scope, key, signature);
        return new Verified(payload, null, accessKey.caller());
    }

    /**
     * Checks the signature against the canonical URI encoded from the decoded path (what SDKs
     * sign), then against the path exactly as sent (clients that leave some characters, such
     * as '!' or '*', unencoded sign what they send). Returns the signature.
     */
    private static String matchingSignature(S3Request request, List<Map.Entry<String, String>> query, List<Map.Entry<String, String>> headers,
                                            String payload, String amzDate, Scope scope, byte[] key, String given) {
        String canonicalUri = SigV4.encodePath(request.path());
        String expected = SigV4.sign(key, SigV4.stringToSign(amzDate, scope.text(),
            SigV4.canonicalRequest(request.method(), canonicalUri, query, headers, payload)));
        if (SigV4.same(expected, given)) {
            return expected;
        }
        if (!request.rawPath().equals(canonicalUri)) {
            String asSent = SigV4.sign(key, SigV4.stringToSign(amzDate, scope.text(),
                SigV4.canonicalRequest(request.method(), request.rawPath(), query, headers, payload)));
            if (SigV4.same(asSent, given)) {
                return asSent;
            }
        }
        throw S3Exception.signatureDoesNotMatch("the request signature we calculated does not match the signature you provided:"
            + " check your secret access key and signing method");
    }

    private S3Key checkKey(Scope scope) {
        return keys.apply(scope.accessKeyId()).orElseThrow(() -> new S3Exception(403, "InvalidAccessKeyId",
            "the access key id " + scope.accessKeyId() + " is not one this agent accepts"));
    }

    private static List<Map.Entry<String, String>> signedHeaderValues(S3Request request, String signedHeaders) {
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        boolean host = false;
        for (String name : signedHeaders.split(";")) {
            String lower = name.strip().toLowerCase(Locale.ROOT);
            if (lower.isEmpty()) {
                continue;
            }
            host |= lower.equals("host");
            List<String> values = request.headers().getAll(lower);
            if (values.isEmpty()) {
                throw S3Exception.signatureDoesNotMatch("the signed header " + lower + " is not in the request");
            }
            headers.add(new AbstractMap.SimpleImmutableEntry<>(lower, String.join(",", values.stream().map(String::strip).toList())));
        }
        if (!host) {
            throw new S3Exception(400, "AuthorizationHeaderMalformed", "the signed headers must include host");
        }
        headers.sort(Map.Entry.comparingByKey());
        return headers;
    }

    private static String require(S3Request request, String name) {
        String value = request.param(name);
        if (value == null || value.isEmpty()) {
            throw new S3Exception(403, "AuthorizationQueryParametersError", "a presigned request needs the query parameter " + name);
        }
        return value;
    }

    private static Instant parseAmzDate(String text, boolean query) {
        try {
            return ZonedDateTime.parse(text.strip(), AMZ_DATE).toInstant();
        } catch (DateTimeParseException e) {
            throw query ? new S3Exception(403, "AuthorizationQueryParametersError", "X-Amz-Date must look like 20250101T000000Z")
                : S3Exception.accessDenied("x-amz-date must look like 20250101T000000Z, not " + text);
        }
    }

    private static Instant parseHttpDate(String text) {
        try {
            return ZonedDateTime.parse(text.strip(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            throw S3Exception.accessDenied("the Date header is not an RFC 1123 date: " + text);
        }
    }

    /** {@code <access key id>/<yyyyMMdd>/<region>/<service>/aws4_request}. */
    record Scope(String accessKeyId, String date, String region, String service) {

        static Scope parse(String credential, boolean header) {
            String[] parts = credential.strip().split("/");
            if (parts.length != 5 || !parts[4].equals("aws4_request") || parts[1].length() != 8) {
                throw header ? new S3Exception(400, "AuthorizationHeaderMalformed", "the Credential must be <key id>/<date>/<region>/s3/aws4_request")
                    : new S3Exception(403, "AuthorizationQueryParametersError", "X-Amz-Credential must be <key id>/<date>/<region>/s3/aws4_request");
            }
            if (!parts[3].equals("s3")) {
                throw new S3Exception(400, "AuthorizationHeaderMalformed", "the credential's service must be s3, not " + parts[3]);
            }
            return new Scope(parts[0], parts[1], parts[2], parts[3]);
        }

        String text() {
            return date + "/" + region + "/" + service + "/aws4_request";
        }

        void requireDate(String amzDate) {
            if (!amzDate.startsWith(date)) {
                throw new S3Exception(400, "AuthorizationHeaderMalformed", "the credential's date " + date + " is not the request's date " + amzDate);
            }
        }
    }
}
