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
 * What a plain upload puts on the wire and how it reports what comes back, against local
 * servers on real sockets: one that answers as SeaweedFS would, one that accepts a connection
 * and never answers (a hung SeaweedFS), and none at all.
 */
class PlainUploadTest {

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
        var upload = uploadTo(answering(200, ""));

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
        var upload = uploadTo(answering(400, """
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
        var missing = uploadTo(answering(404, "<Error><Code>NoSuchBucket</Code><Message>no bucket</Message></Error>"));
        assertThatThrownBy(() -> missing.put("bucket", "blobs/x", HASH, BODY.length, body(), Duration.ofSeconds(2)))
            .satisfies(e -> assertThat(SeaweedFsErrors.classify(e)).isEqualTo(SeaweedFsErrors.Kind.NOT_FOUND));

        var refused = uploadTo(answering(403, "<Error><Code>SignatureDoesNotMatch</Code></Error>"));
        assertThatThrownBy(() -> refused.put("bucket", "blobs/x", HASH, BODY.length, body(), Duration.ofSeconds(2)))
            .satisfies(e -> assertThat(SeaweedFsErrors.classify(e)).isEqualTo(SeaweedFsErrors.Kind.CREDENTIALS));
    }

    @Test
    void aServerErrorWithoutADocumentIsAnOutage() {
        var upload = uploadTo(answering(503, ""));

        assertThatThrownBy(() -> upload.put("bucket", "blobs/x", HASH, BODY.length, body(), Duration.ofSeconds(2)))
            .isInstanceOfSatisfying(S3Exception.class, e -> {
                assertThat(e.statusCode()).isEqualTo(503);
                assertThat(SeaweedFsErrors.isFailure(e)).isTrue();
            });
    }

    @Test
    void aServerThatNeverAnswersIsAbortedAtTheAttemptTimeout() throws Exception {
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
        var upload = uploadTo("http://127.0.0.1:" + silent.getLocalPort());
        long start = System.nanoTime();

        assertThatThrownBy(() -> upload.put("bucket", "blobs/x", HASH, BODY.length, body(), Duration.ofMillis(300)))
            .isInstanceOf(ApiCallAttemptTimeoutException.class)
            .satisfies(e -> assertThat(SeaweedFsErrors.isTimeout(e)).isTrue());
        // The read timeout of the test configuration is 5 s: the abort, not it, ended the wait.
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        for (Socket s : accepted) {
            s.close();
        }
    }

    @Test
    void noServerIsAnOutageThatSaysSo() throws Exception {
        int port;
        try (var free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        var upload = uploadTo("http://127.0.0.1:" + port);

        assertThatThrownBy(() -> upload.put("bucket", "blobs/x", HASH, BODY.length, body(), Duration.ofSeconds(2)))
            .isInstanceOf(SdkClientException.class)
            .satisfies(e -> {
                assertThat(SeaweedFsErrors.isFailure(e)).isTrue();
                assertThat(SeaweedFsErrors.describe(e)).containsIgnoringCase("refused");
            });
    }

    @Test
    void anErrorDocumentGivesItsCodeAndMessageAndAnythingElseGivesNone() {
        assertThat(PlainUpload.codeAndMessage("<Error><Code>NoSuchKey</Code><Message>gone</Message></Error>".getBytes(StandardCharsets.UTF_8)))
            .containsExactly("NoSuchKey", "gone");
        assertThat(PlainUpload.codeAndMessage("<html><body>502 Bad Gateway</body></html>".getBytes(StandardCharsets.UTF_8)))
            .containsExactly(null, null);
        assertThat(PlainUpload.codeAndMessage("<Error><Code>Cut".getBytes(StandardCharsets.UTF_8))).containsExactly(null, null);
        assertThat(PlainUpload.codeAndMessage(new byte[0])).containsExactly(null, null);
    }

    private String answering(int status, String document) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/", exchange -> {
                headers.add(Map.copyOf(exchange.getRequestHeaders()));
                paths.add(exchange.getRequestURI().getRawPath());
                var received = new ByteArrayOutputStream();
                exchange.getRequestBody().transferTo(received);
                bodies.add(received.toByteArray());
                byte[] answer = document.getBytes(StandardCharsets.UTF_8);
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

    private PlainUpload uploadTo(String endpoint) {
        var s3 = new SeaweedFsS3(TestConfigs.defaults(endpoint, "kelp", "secret"));
        open.add(s3);
        return s3.plainUpload();
    }

    private static ContentStreamProvider body() {
        return ContentStreamProvider.fromByteArray(BODY);
    }
}
