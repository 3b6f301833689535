package dev.kelp.agent.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.checksums.DefaultChecksumAlgorithm;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * The verifier against signatures nobody here computed: the worked examples of AWS's S3
 * SigV4 documentation (header, query-string and chunked forms), and aws-sdk-java-v2's own
 * signer, including its aws-chunked bodies with and without checksum trailers.
 */
class SigV4VerifierTest {

    // The example key pair of the AWS documentation.
    private static final String KEY_ID = "AKIAIOSFODNN7EXAMPLE";
    private static final String SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    private static final Instant DOC_TIME = Instant.parse("2013-05-24T00:00:00Z");

    private final SigV4Verifier verifier = new SigV4Verifier(config("sigv4"));

    static S3Config config(String auth) {
        return new S3Config(true, "127.0.0.1", 0, "localhost", auth, KEY_ID, SECRET, "us-east-1", Duration.ofMinutes(15), 4,
            Duration.ofSeconds(1));
    }

    private static S3Request request(String method, String uri, String... headers) {
        var http = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method), uri);
        for (int i = 0; i < headers.length; i += 2) {
            http.headers().add(headers[i], headers[i + 1]);
        }
        // Virtual-host names in the examples are AWS's, not ours: path style for the resolver.
        return S3Request.of(http, "s3.amazonaws.com", "TEST");
    }

    private static String auth(String signedHeaders, String signature) {
        return "AWS4-HMAC-SHA256 Credential=" + KEY_ID + "/20130524/us-east-1/s3/aws4_request,SignedHeaders=" + signedHeaders
            + ",Signature=" + signature;
    }

    @Test
    void awsDocumentationGetObjectWithRange() {
        var r = request("GET", "/test.txt", "Host", "examplebucket.s3.amazonaws.com", "Range", "bytes=0-9",
            "x-amz-content-sha256", SigV4.EMPTY_SHA256, "x-amz-date", "20130524T000000Z",
            "Authorization", auth("host;range;x-amz-content-sha256;x-amz-date", "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"));
        assertThat(r.bucket()).isEqualTo("examplebucket");
        assertThat(r.key()).isEqualTo("test.txt");
        assertThat(verifier.verify(r, DOC_TIME).payload()).isEqualTo(SigV4.EMPTY_SHA256);
    }

    @Test
    void awsDocumentationPutObjectWithADollarInTheKey() {
        var r = request("PUT", "/test%24file.text", "Host", "examplebucket.s3.amazonaws.com", "Date", "Fri, 24 May 2013 00:00:00 GMT",
            "x-amz-date", "20130524T000000Z", "x-amz-storage-class", "REDUCED_REDUNDANCY",
            "x-amz-content-sha256", "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072",
            "Authorization", auth("date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class",
                "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"));
        assertThat(r.key()).isEqualTo("test$file.text");
        var verified = verifier.verify(r, DOC_TIME);
        assertThat(verified.bodySha256()).isEqualTo("44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
    }

    @Test
    void awsDocumentationListObjectsWithQueryParameters() {
        var r = request("GET", "/?max-keys=2&prefix=J", "Host", "examplebucket.s3.amazonaws.com",
            "x-amz-content-sha256", SigV4.EMPTY_SHA256, "x-amz-date", "20130524T000000Z",
            "Authorization", auth("host;x-amz-content-sha256;x-amz-date", "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"));
        verifier.verify(r, DOC_TIME);
        var lifecycle = request("GET", "/?lifecycle", "Host", "examplebucket.s3.amazonaws.com",
            "x-amz-content-sha256", SigV4.EMPTY_SHA256, "x-amz-date", "20130524T000000Z",
            "Authorization", auth("host;x-amz-content-sha256;x-amz-date", "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"));
        verifier.verify(lifecycle, DOC_TIME);
    }

    @Test
    void awsDocumentationPresignedGet() {
        String uri = "/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
            + "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
            + "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";
        verifier.verify(request("GET", uri, "Host", "examplebucket.s3.amazonaws.com"), DOC_TIME.plusSeconds(3600));
        assertThatThrownBy(() -> verifier.verify(request("GET", uri, "Host", "examplebucket.s3.amazonaws.com"), DOC_TIME.plusSeconds(86401)))
            .isInstanceOfSatisfying(S3Exception.class, e -> {
                assertThat(e.code()).isEqualTo("AccessDenied");
                assertThat(e.getMessage()).startsWith("Request has expired");
            });
        String tampered = uri.replace("test.txt", "test.txu");
        assertThatThrownBy(() -> verifier.verify(request("GET", tampered, "Host", "examplebucket.s3.amazonaws.com"), DOC_TIME))
            .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.code()).isEqualTo("SignatureDoesNotMatch"));
    }

    @Test
    void awsDocumentationChunkedUploadSignaturesChain() throws IOException {
        var r = request("PUT", "/examplebucket/chunkObject.txt", "Host", "s3.amazonaws.com", "x-amz-date", "20130524T000000Z",
            "x-amz-storage-class", "REDUCED_REDUNDANCY", "x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
            "Content-Encoding", "aws-chunked", "x-amz-decoded-content-length", "66560", "Content-Length", "66824",
            "Authorization", auth("content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class",
                "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"));
        var verified = verifier.verify(r, DOC_TIME);
        assertThat(verified.chunked()).isTrue();
        byte[] first = new byte[65536];
        byte[] second = new byte[1024];
        Arrays.fill(first, (byte) 'a');
        Arrays.fill(second, (byte) 'a');
        var body = new ByteArrayOutputStream();
        chunk(body, first, "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648");
        chunk(body, second, "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497");
        chunk(body, new byte[0], "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9");
        assertThat(body.size()).isEqualTo(66824);

        byte[] decoded = new AwsChunkedInputStream(new ByteArrayInputStream(body.toByteArray()), verified.signing(), false, 66560, null).readAllBytes();
        assertThat(decoded).hasSize(66560).containsOnly((byte) 'a');

        byte[] altered = body.toByteArray();
        altered[100] = 'b';
        assertThatThrownBy(() -> new AwsChunkedInputStream(new ByteArrayInputStream(altered), verified.signing(), false, 66560, null).readAllBytes())
            .isInstanceOfSatisfying(S3BodyException.class, e -> assertThat(e.error().code()).isEqualTo("SignatureDoesNotMatch"));
    }

    private static void chunk(ByteArrayOutputStream out, byte[] data, String signature) {
        out.writeBytes((Integer.toHexString(data.length) + ";chunk-signature=" + signature + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(data);
        out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void wrongKeyBadSignatureAndSkewHaveTheirOwnCodes() {
        var wrongKey = request("GET", "/test.txt", "Host", "examplebucket.s3.amazonaws.com", "Range", "bytes=0-9",
            "x-amz-content-sha256", SigV4.EMPTY_SHA256, "x-amz-date", "20130524T000000Z",
            "Authorization", auth("host;range;x-amz-content-sha256;x-amz-date", "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
                .replace(KEY_ID, "AKIAOTHERKEY"));
        assertThatThrownBy(() -> verifier.verify(wrongKey, DOC_TIME))
            .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.code()).isEqualTo("InvalidAccessKeyId"));
        var otherSecret = new SigV4Verifier(new S3Config(true, null, 0, "localhost", "sigv4", KEY_ID, "not-the-secret", "us-east-1",
            Duration.ofMinutes(15), 4, Duration.ofSeconds(1)));
        var good = request("GET", "/test.txt", "Host", "examplebucket.s3.amazonaws.com", "Range", "bytes=0-9",
            "x-amz-content-sha256", SigV4.EMPTY_SHA256, "x-amz-date", "20130524T000000Z",
            "Authorization", auth("host;range;x-amz-content-sha256;x-amz-date", "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"));
        assertThatThrownBy(() -> otherSecret.verify(good, DOC_TIME))
            .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.code()).isEqualTo("SignatureDoesNotMatch"));
        assertThatThrownBy(() -> verifier.verify(good, DOC_TIME.plus(Duration.ofMinutes(16))))
            .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.code()).isEqualTo("RequestTimeTooSkewed"));
        assertThat(verifier.verify(good, DOC_TIME.plus(Duration.ofMinutes(14))).payload()).isEqualTo(SigV4.EMPTY_SHA256);
        assertThatThrownBy(() -> verifier.verify(request("GET", "/test.txt", "Host", "examplebucket.s3.amazonaws.com"), DOC_TIME))
            .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.code()).isEqualTo("AccessDenied"));
    }

    @Test
    void noneModeAcceptsUnsignedRequests() {
        var open = new SigV4Verifier(config("none"));
        assertThat(open.verify(request("GET", "/bucket/key", "Host", "127.0.0.1:8781"), Instant.now()).payload()).isEqualTo("UNSIGNED-PAYLOAD");
    }

    // --- aws-sdk-java-v2's signer ---

    private static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");

    private static SignedRequest sdkSign(SdkHttpRequest request, byte[] payload, boolean chunked, boolean trailer, boolean query) {
        return sdkSign(request, payload, chunked, trailer, query, !query);
    }

    private static SignedRequest sdkSign(SdkHttpRequest request, byte[] payload, boolean chunked, boolean trailer, boolean query,
                                         boolean signPayload) {
        return AwsV4HttpSigner.create().sign(r -> {
            r.identity(AwsCredentialsIdentity.create(KEY_ID, SECRET))
                .request(request)
                .payload(payload == null ? null : ContentStreamProvider.fromByteArray(payload))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3")
                .putProperty(AwsV4HttpSigner.REGION_NAME, "eu-central-1")
                .putProperty(AwsV4HttpSigner.DOUBLE_URL_ENCODE, false)
                .putProperty(AwsV4HttpSigner.NORMALIZE_PATH, false)
                // A presigned URL cannot know its body: S3's presigner leaves the payload unsigned.
                .putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, signPayload)
                .putProperty(AwsV4HttpSigner.CHUNK_ENCODING_ENABLED, chunked)
                .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(NOW, ZoneOffset.UTC));
            if (trailer) {
                r.putProperty(AwsV4FamilyHttpSigner.CHECKSUM_ALGORITHM, DefaultChecksumAlgorithm.CRC32);
            }
            if (query) {
                r.putProperty(AwsV4FamilyHttpSigner.AUTH_LOCATION, AwsV4FamilyHttpSigner.AuthLocation.QUERY_STRING)
                    .putProperty(AwsV4FamilyHttpSigner.EXPIRATION_DURATION, Duration.ofMinutes(10));
            }
        });
    }

    private static S3Request toS3(SdkHttpRequest signed) {
        URI uri = signed.getUri();
        String pathAndQuery = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        var http = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(signed.method().name()), pathAndQuery);
        http.headers().set("Host", uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : ""));
        for (Map.Entry<String, List<String>> h : signed.headers().entrySet()) {
            if (!h.getKey().equalsIgnoreCase("host")) {
                http.headers().add(h.getKey(), h.getValue());
            }
        }
        return S3Request.of(http, "localhost", "TEST");
    }

    @Test
    void sdkSignedGetWithAwkwardKeyVerifies() {
        var request = SdkHttpRequest.builder().method(SdkHttpMethod.GET)
            .uri(URI.create("http://127.0.0.1:8781/photos/dir%20with%20space/%C3%A9t%C3%A9%2Bplus%21%2A.jpg"))
            .putRawQueryParameter("prefix", "a b/c+d").putRawQueryParameter("list-type", "2").build();
        S3Request signed = toS3(sdkSign(request, null, false, false, false).request());
        assertThat(signed.key()).isEqualTo("dir with space/été+plus!*.jpg");
        verifier.verify(signed, NOW.plusSeconds(30));
    }

    @Test
    void sdkPresignedUrlVerifiesUntilItExpires() {
        var request = SdkHttpRequest.builder().method(SdkHttpMethod.PUT).uri(URI.create("http://photos.localhost:8781/a/b.txt")).build();
        S3Request signed = toS3(sdkSign(request, null, false, false, true).request());
        assertThat(signed.bucket()).isEqualTo("photos");
        assertThat(verifier.verify(signed, NOW.plusSeconds(599)).payload()).isEqualTo("UNSIGNED-PAYLOAD");
        assertThatThrownBy(() -> verifier.verify(signed, NOW.plusSeconds(601)))
            .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.getMessage()).startsWith("Request has expired"));
    }

    @Test
    void sdkSignedPayloadVerifiesAndATamperedOneIsRefused() throws IOException {
        byte[] payload = "hello, kelp".getBytes(StandardCharsets.UTF_8);
        var request = SdkHttpRequest.builder().method(SdkHttpMethod.PUT).uri(URI.create("http://127.0.0.1:8781/photos/k"))
            .putHeader("Content-Length", Integer.toString(payload.length)).build();
        S3Request signed = toS3(sdkSign(request, payload, false, false, false).request());
        var verified = verifier.verify(signed, NOW);
        CheckedBody body = RequestBodies.decode(signed, verified, new ByteArrayInputStream(payload));
        assertThat(body.readAllBytes()).isEqualTo(payload);
        byte[] other = "hello, kelq".getBytes(StandardCharsets.UTF_8);
        CheckedBody tampered = RequestBodies.decode(signed, verified, new ByteArrayInputStream(other));
        assertThatThrownBy(tampered::readAllBytes)
            .isInstanceOfSatisfying(S3BodyException.class, e -> assertThat(e.error().code()).isEqualTo("XAmzContentSHA256Mismatch"));
    }

    @Test
    void sdkChunkedBodiesDecodeWithAndWithoutChecksumTrailers() throws IOException {
        byte[] payload = new byte[300_000];
        new java.util.Random(7).nextBytes(payload);
        for (boolean trailer : new boolean[] {false, true}) {
            var request = SdkHttpRequest.builder().method(SdkHttpMethod.PUT).uri(URI.create("http://127.0.0.1:8781/photos/big.bin"))
                .putHeader("Content-Length", Integer.toString(payload.length)).build();
            SignedRequest sdk = sdkSign(request, payload, true, trailer, false);
            S3Request signed = toS3(sdk.request());
            var verified = verifier.verify(signed, NOW);
            assertThat(verified.payload()).isEqualTo(trailer ? SigV4Verifier.STREAMING_SIGNED_TRAILER : SigV4Verifier.STREAMING_SIGNED);
            byte[] wire;
            try (InputStream in = sdk.payload().orElseThrow().newStream()) {
                wire = in.readAllBytes();
            }
            assertThat(RequestBodies.decode(signed, verified, new ByteArrayInputStream(wire)).readAllBytes()).as("trailer " + trailer).isEqualTo(payload);

            byte[] altered = wire.clone();
            altered[wire.length / 2] ^= 1;
            assertThatThrownBy(() -> RequestBodies.decode(signed, verified, new ByteArrayInputStream(altered)).readAllBytes())
                .isInstanceOf(S3BodyException.class);
        }
    }

    @Test
    void sdkUnsignedChunkedBodyWithChecksumTrailerIsCheckedByItsChecksum() throws IOException {
        byte[] payload = new byte[200_000];
        new java.util.Random(11).nextBytes(payload);
        // Over plain http the SDK always signs the payload; over https it sends it unsigned with a trailer.
        var request = SdkHttpRequest.builder().method(SdkHttpMethod.PUT).uri(URI.create("https://127.0.0.1:8781/photos/u.bin"))
            .putHeader("Content-Length", Integer.toString(payload.length)).build();
        SignedRequest sdk = sdkSign(request, payload, true, true, false, false);
        S3Request signed = toS3(sdk.request());
        var verified = verifier.verify(signed, NOW);
        assertThat(verified.payload()).isEqualTo(SigV4Verifier.STREAMING_UNSIGNED_TRAILER);
        byte[] wire;
        try (InputStream in = sdk.payload().orElseThrow().newStream()) {
            wire = in.readAllBytes();
        }
        assertThat(RequestBodies.decode(signed, verified, new ByteArrayInputStream(wire)).readAllBytes()).isEqualTo(payload);
        // Flip a data byte: no chunk signature to catch it, the CRC32 trailer does.
        byte[] altered = wire.clone();
        altered[wire.length / 2] ^= 1;
        assertThatThrownBy(() -> RequestBodies.decode(signed, verified, new ByteArrayInputStream(altered)).readAllBytes())
            .isInstanceOfSatisfying(S3BodyException.class, e -> assertThat(e.error().code()).isEqualTo("BadDigest"));
    }

    @Test
    void contentMd5IsCheckedWhenTheBodyEnds() throws Exception {
        byte[] body = "the body".getBytes(StandardCharsets.UTF_8);
        String md5 = java.util.Base64.getEncoder().encodeToString(java.security.MessageDigest.getInstance("MD5").digest(body));
        var good = new CheckedBody(new ByteArrayInputStream(body), md5, null, null, null, body.length);
        assertThat(good.readAllBytes()).isEqualTo(body);
        assertThat(good.md5Hex()).isEqualTo(java.util.HexFormat.of().formatHex(java.util.Base64.getDecoder().decode(md5)));
        var bad = new CheckedBody(new ByteArrayInputStream("the bodY".getBytes(StandardCharsets.UTF_8)), md5, null, null, null, body.length);
        assertThatThrownBy(bad::readAllBytes).isInstanceOfSatisfying(S3BodyException.class, e -> assertThat(e.error().code()).isEqualTo("BadDigest"));
        var shortBody = new CheckedBody(new ByteArrayInputStream(body), null, null, null, null, body.length + 1);
        assertThatThrownBy(shortBody::readAllBytes).isInstanceOfSatisfying(S3BodyException.class, e -> assertThat(e.error().code()).isEqualTo("IncompleteBody"));
    }
}
