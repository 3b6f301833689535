package dev.kelp.agent.blob.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.kelp.agent.blob.BlobStoreUnavailableException;
import dev.kelp.agent.mode.ModeMonitor;
import dev.kelp.agent.object.ContentHash;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A write into a bucket SeaweedFS says is not there, against a local server on a real socket
 * that answers as SeaweedFS does when its view of a just-made bucket lags: whatever the call
 * that hears "no such bucket" (making the bucket, or the upload itself), the write is
 * unavailable, so the fallback volume takes it, and never a 500 for the caller.
 */
class MissingBucketTest {

    private static final String NO_SUCH_BUCKET = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchBucket</Code>"
        + "<Message>The specified bucket does not exist</Message><Resource>/bkt</Resource><RequestId>1</RequestId></Error>";
    private static final byte[] BODY = "a blob".getBytes(StandardCharsets.UTF_8);
    private static final ContentHash HASH = ContentHash.ofBytes(BODY);

    /** "METHOD /path", one per request the store sent, in order. */
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private HttpServer server;
    private SeaweedFsS3 s3;

    @TempDir
    Path dir;

    @AfterEach
    void close() {
        if (s3 != null) {
            s3.close();
        }
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void makingTheBucketAnsweredWithNoSuchBucketLeavesTheWriteToTheFallbackVolume() throws Exception {
        var store = storeAnswering(request -> request.startsWith("HEAD") ? new Answer(404, "")
            : request.equals("PUT /bkt") ? new Answer(404, NO_SUCH_BUCKET) : new Answer(200, ""));

        assertThatThrownBy(() -> store.put("bkt", HASH, file(), BODY.length))
            .isInstanceOf(BlobStoreUnavailableException.class)
            .hasMessageContaining("SeaweedFS does not know bucket bkt");
        assertThat(requests).as("made again once, and no upload into a bucket that is not there")
            .containsExactly("HEAD /bkt", "PUT /bkt", "HEAD /bkt", "PUT /bkt");
    }

    @Test
    void anUploadThatKeepsHearingNoSuchBucketMakesItAgainOnceThenLeavesTheWriteToTheFallbackVolume() throws Exception {
        String upload = "PUT /bkt/" + SeaweedFsBlobStore.key(HASH);
        var store = storeAnswering(request -> request.equals(upload) ? new Answer(404, NO_SUCH_BUCKET) : new Answer(200, ""));

        assertThatThrownBy(() -> store.put("bkt", HASH, file(), BODY.length))
            .isInstanceOf(BlobStoreUnavailableException.class)
            .hasMessageContaining("SeaweedFS does not know bucket bkt");
        assertThat(requests).containsExactly("HEAD /bkt", upload, "HEAD /bkt", upload);
    }

    @Test
    void anUploadThatHearsNoSuchBucketOnceSucceedsOnceTheBucketIsMadeAgain() throws Exception {
        String upload = "PUT /bkt/" + SeaweedFsBlobStore.key(HASH);
        var store = storeAnswering(request -> request.equals(upload) && requests.stream().filter(upload::equals).count() == 1
            ? new Answer(404, NO_SUCH_BUCKET) : new Answer(200, ""));

        store.put("bkt", HASH, file(), BODY.length);

        assertThat(requests).containsExactly("HEAD /bkt", upload, "HEAD /bkt", upload);
    }

    private record Answer(int status, String document) {
    }

    private Path file() throws Exception {
        return Files.write(dir.resolve("blob"), BODY);
    }

    private SeaweedFsBlobStore storeAnswering(Function<String, Answer> answers) throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            String request = exchange.getRequestMethod() + " " + exchange.getRequestURI().getRawPath();
            requests.add(request);
            exchange.getRequestBody().transferTo(java.io.OutputStream.nullOutputStream());
            Answer answer = answers.apply(request);
            byte[] document = answer.document().getBytes(StandardCharsets.UTF_8);
            boolean head = exchange.getRequestMethod().equals("HEAD");
            exchange.sendResponseHeaders(answer.status(), head || document.length == 0 ? -1 : document.length);
            if (!head && document.length > 0) {
                exchange.getResponseBody().write(document);
            }
            exchange.close();
        });
        server.start();
        var config = TestConfigs.defaults("http://127.0.0.1:" + server.getAddress().getPort(), "kelp", "secret");
        s3 = new SeaweedFsS3(config);
        var mode = new ModeMonitor(event -> { }, new SimpleMeterRegistry(), config.endpoint().toString());
        return new SeaweedFsBlobStore(s3, new SeaweedFsGuard(config, mode));
    }
}
