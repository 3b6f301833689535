package dev.kelp.agent.blob.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.kelp.agent.object.ContentHash;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * What a plain upload or read puts on the wire and how it reports what comes back, against local
 * servers on real sockets: one that answers as SeaweedFS would, one that accepts a connection
 * and never answers (a hung SeaweedFS), and none at all.
 */
class PlainRequestsTest {

    private static final byte[] BODY = "the bytes of a blob".getBytes(StandardCharsets.UTF_8);
    private static final ContentHash HASH = ContentHash.ofBytes(BODY);

    private final List<Map<String, List<String>>> headers = new CopyOnWriteArrayList<>();
    private final List<String> paths = new CopyOnWriteArrayList<>();
    private final List<byte[]> bodies = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    @Test
    void anUploadSendsItsBodyOnceSignedWithItsContentHashAndTheChecksumSeaweedFsChecks() {
        var upload = requestsTo(answering(200, ""));

        upload.put("bucket", "blobs/ab/cd/" + HASH.hex(), HASH, BODY.length, body(), Duration.ofSeconds(2));

        assertThat(paths).containsExactly("/bucket/blobs/ab/cd/" + HASH.hex());
        assertThat(bodies).singleElement().isEqualTo(BODY);
        assertThat(headers).singleElement().satisfies(h -> {
            assertThat(h.get("X-amz-content-sha256")).containsExactly(HASH.hex());
            assertThat(h.get("X-amz-checksum-sha256")).containsExactly(Base64.getEncoder().encodeToString(HexFormat.of().parseHex(HASH.hex())));
            assertThat(h.get("Authorization")).singleElement().asString()
                .startsWith("AWS4-HMAC-SHA256 Credential=kelp/").contains("/us-east-1/s3/aws4_request");
            assertThat(h).doesNotContainKey("Expect");
        });
    }

    @Test
    void aRefusalComesOutAsTheS3ClientWouldThrowIt() {
        var upload = requestsTo(answering(400, """
            <?xml version="1.0" encoding="UTF-8"?>
            <Error><Code>BadDigest</Code><Message>The Content-Md5 you specified did not match what we received.</Message>
            <Resource>/bucket/blobs/x</Resource><RequestId>17E2</RequestId></Error>"""));

        assertThatThrownBy(() -> upload.put("bucket", "blobs/x", HASH, BODY.length, body(), Duration.ofSeconds(2)))
            .isInstanceOfSatisfying(S3Exception.class, e -> {
                assertThat(e.statusCode()).isEqualTo(400);
                assertThat(SeaweedFsErrors.errorCode(e)).isEqualTo("BadDigest");
                assertThat(SeaweedFsErrors.classify(e)).isEqualTo(SeaweedFsErrors.Kind.REJECTED);
                assertThat(SeaweedFsErrors.describe(e)).isEqualTo("HTTP 400 BadDigest");
            });
    }

    @Test
    void aMissingBucketIsNotFoundAndRefusedCredentialsAreCredentials() {
        var missing = requestsTo(answering(404, "<Error><Code>NoSuchBucket</Code><Message>no bucket</Message></Error>"));
        assertThatThrownBy(() -> missing.put("bucket", "blobs/x", HASH, BODY.length, body(), Duration.ofSeconds(2)))
            .satisfies(e -> assertThat(SeaweedFsErrors.classify(e)).isEqualTo(SeaweedFsErrors.Kind.NOT_FOUND));

        var refused = requestsTo(answering(403, "<Error><Code>SignatureDoesNotMatch</Code></Error>"));
        assertThatThrownBy(() -> refused.put("bucket", "blobs/x", HASH, BODY.length, body(), Duration.ofSeconds(2)))
            .satisfies(e -> assertThat(SeaweedFsErrors.classify(e)).isEqualTo(SeaweedFsErrors.Kind.CREDENTIALS));
    }

    @Test
    void aServerErrorWithoutADocumentIsAnOutage() {
        var upload = requestsTo(answering(503, ""));

        assertThatThrownBy(() -> upload.put("bucket", "blobs/x", HASH, BODY.length, body(), Duration.ofSeconds(2)))
            .isInstanceOfSatisfying(S3Exception.class, e -> {
                assertThat(e.statusCode()).isEqualTo(503);
                assertThat(SeaweedFsErrors.isFailure(e)).isTrue();
            });
    }

    @Test
    void aServerThatNeverAnswersIsAbortedAtTheAttemptTimeout() throws Exception {
        var upload = requestsTo(silent());
        long start = System.nanoTime();

        assertThatThrownBy(() -> upload.put("bucket", "blobs/x", HASH, BODY.length, body(), Duration.ofMillis(300)))
            .isInstanceOf(ApiCallAttemptTimeoutException.class)
            .satisfies(e -> assertThat(SeaweedFsErrors.isTimeout(e)).isTrue());
        // The read timeout of the test configuration is 5 s: the abort, not it, ended the wait.
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void aReadSendsItsRangeAndConditionSignedAndGivesItsBodyLengthAndETag() throws Exception {
        var plain = requestsTo(answering(206, "the bytes", Map.of("ETag", "\"3f2a\"")));

        var download = plain.get("bucket", "blobs/ab/x", "bytes=4-12", "\"3f2a\"", Duration.ofSeconds(2));

        try (var body = download.body()) {
            assertThat(new String(body.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("the bytes");
        }
        assertThat(download.contentLength()).isEqualTo(9);
        assertThat(download.eTag()).isEqualTo("\"3f2a\"");
        assertThat(paths).containsExactly("/bucket/blobs/ab/x");
        assertThat(headers).singleElement().satisfies(h -> {
            assertThat(h.get("Range")).containsExactly("bytes=4-12");
            assertThat(h.get("If-match")).containsExactly("\"3f2a\"");
            // The SHA-256 of no bytes: a read has no payload to sign.
            assertThat(h.get("X-amz-content-sha256")).containsExactly("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
            assertThat(h.get("Authorization")).singleElement().asString()
                .startsWith("AWS4-HMAC-SHA256 Credential=kelp/").contains("SignedHeaders=").contains("range");
        });
    }

    @Test
    void aReadOfAMissingKeyIsNotFoundAndAFailedConditionOrRangeIsRefused() {
        var missing = requestsTo(answering(404, "<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>"));
        assertThatThrownBy(() -> missing.get("bucket", "blobs/x", null, null, Duration.ofSeconds(2)))
            .isInstanceOfSatisfying(S3Exception.class, e -> {
                assertThat(SeaweedFsErrors.errorCode(e)).isEqualTo("NoSuchKey");
                assertThat(SeaweedFsErrors.classify(e)).isEqualTo(SeaweedFsErrors.Kind.NOT_FOUND);
            });

        var changed = requestsTo(answering(412, "<Error><Code>PreconditionFailed</Code></Error>"));
        assertThatThrownBy(() -> changed.get("bucket", "blobs/x", "bytes=10-", "\"old\"", Duration.ofSeconds(2)))
            .satisfies(e -> assertThat(SeaweedFsErrors.classify(e)).isEqualTo(SeaweedFsErrors.Kind.REJECTED));

        var outside = requestsTo(answering(416, "<Error><Code>InvalidRange</Code></Error>"));
        assertThatThrownBy(() -> outside.get("bucket", "blobs/x", "bytes=99-", null, Duration.ofSeconds(2)))
            .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(416));
    }

    @Test
    void anExistenceCheckAnswersWhenTheKeyIsThereAndSaysWhyWhenItIsNot() {
        requestsTo(answering(200, "")).head("bucket", "blobs/x", Duration.ofSeconds(2));
        assertThat(paths).containsExactly("/bucket/blobs/x");

        // A HEAD's refusal has no document: the status alone says what it is, as for the S3 client.
        var missing = requestsTo(answering(404, ""));
        assertThatThrownBy(() -> missing.head("bucket", "blobs/x", Duration.ofSeconds(2)))
            .satisfies(e -> assertThat(SeaweedFsErrors.classify(e)).isEqualTo(SeaweedFsErrors.Kind.NOT_FOUND));
        var refused = requestsTo(answering(403, ""));
        assertThatThrownBy(() -> refused.head("bucket", "blobs/x", Duration.ofSeconds(2)))
            .satisfies(e -> assertThat(SeaweedFsErrors.classify(e)).isEqualTo(SeaweedFsErrors.Kind.CREDENTIALS));
    }

    @Test
    void aReadThatGetsNoAnswerIsAbortedAtTheAttemptTimeout() {
        var plain = requestsTo(silent());
        long start = System.nanoTime();

        assertThatThrownBy(() -> plain.get("bucket", "blobs/x", null, null, Duration.ofMillis(300)))
            .isInstanceOf(ApiCallAttemptTimeoutException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void noServerIsAnOutageThatSaysSo() throws Exception {
        int port;
        try (var free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        var upload = requestsTo("http://127.0.0.1:" + port);

        assertThatThrownBy(() -> upload.put("bucket", "blobs/x", HASH, BODY.length, body(), Duration.ofSeconds(2)))
            .isInstanceOf(SdkClientException.class)
            .satisfies(e -> {
                assertThat(SeaweedFsErrors.isFailure(e)).isTrue();
                assertThat(SeaweedFsErrors.describe(e)).containsIgnoringCase("refused");
            });
    }

    @Test
    void anErrorDocumentGivesItsCodeAndMessageAndAnythingElseGivesNone() {
        assertThat(PlainRequests.codeAndMessage("<Error><Code>NoSuchKey</Code><Message>gone</Message></Error>".getBytes(StandardCharsets.UTF_8)))
            .containsExactly("NoSuchKey", "gone");
        assertThat(PlainRequests.codeAndMessage("<html><body>502 Bad Gateway</body></html>".getBytes(StandardCharsets.UTF_8)))
            .containsExactly(null, null);
        assertThat(PlainRequests.codeAndMessage("<Error><Code>Cut".getBytes(StandardCharsets.UTF_8))).containsExactly(null, null);
        assertThat(PlainRequests.codeAndMessage(new byte[0])).containsExactly(null, null);
    }

    private String answering(int status, String document) {
        return answering(status, document, Map.of());
    }

    private String answering(int status, String document, Map<String, String> responseHeaders) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/", exchange -> {
                headers.add(Map.copyOf(exchange.getRequestHeaders()));
                paths.add(exchange.getRequestURI().getRawPath());
                var received = new ByteArrayOutputStream();
                exchange.getRequestBody().transferTo(received);
                bodies.add(received.toByteArray());
                byte[] answer = document.getBytes(StandardCharsets.UTF_8);
                responseHeaders.forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
                exchange.sendResponseHeaders(status, answer.length == 0 ? -1 : answer.length);
                if (answer.length > 0) {
                    exchange.getResponseBody().write(answer);
                }
                exchange.close();
            });
            server.start();
            open.add(() -> server.stop(0));
            return "http://127.0.0.1:" + server.getAddress().getPort();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A server that accepts connections and never answers: a hung SeaweedFS. */
    private String silent() {
        try {
            var silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            open.add(silent);
            List<Socket> accepted = new CopyOnWriteArrayList<>();
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    while (true) {
                        accepted.add(silent.accept());
                    }
                } catch (Exception closed) {
                    // the test is over
                }
            });
            open.add(() -> {
                for (Socket s : accepted) {
                    s.close();
                }
            });
            return "http://127.0.0.1:" + silent.getLocalPort();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private PlainRequests requestsTo(String endpoint) {
        var s3 = new SeaweedFsS3(TestConfigs.defaults(endpoint, "kelp", "secret"));
        open.add(s3);
        return s3.plain();
    }

    private static ContentStreamProvider body() {
        return ContentStreamProvider.fromByteArray(BODY);
    }
}
