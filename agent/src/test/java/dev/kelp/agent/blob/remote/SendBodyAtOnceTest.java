package dev.kelp.agent.blob.remote;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * What the S3 client the agent builds for SeaweedFS puts on the wire for an upload: the body
 * right behind the headers, no {@code Expect: 100-continue} handshake first. The endpoint is a
 * local server that records each request's headers and answers 200, as SeaweedFS would.
 */
class SendBodyAtOnceTest {

    private final List<Map<String, List<String>>> requests = new CopyOnWriteArrayList<>();
    private HttpServer server;
    private SeaweedFsS3 s3;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            requests.add(Map.copyOf(exchange.getRequestHeaders()));
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().add("ETag", "\"0\"");
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        s3 = new SeaweedFsS3(TestConfigs.defaults("http://127.0.0.1:" + server.getAddress().getPort(), "kelp", "secret"));
    }

    @AfterEach
    void stop() {
        s3.close();
        server.stop(0);
    }

    @Test
    void aPutObjectGoesWithoutExpectContinue() {
        byte[] body = "the bytes of a blob".getBytes(StandardCharsets.UTF_8);

        s3.client().putObject(b -> b.bucket("b").key("blobs/k").contentLength((long) body.length), RequestBody.fromBytes(body));

        assertThat(requests).singleElement().satisfies(headers -> {
            assertThat(headers).as("headers sent").containsKey("Authorization").doesNotContainKey(SendBodyAtOnce.EXPECT);
            assertThat(headers.get("Content-length")).containsExactly(Integer.toString(body.length));
        });
    }

    @Test
    void anUploadPartGoesWithoutExpectContinueToo() {
        byte[] part = new byte[64 * 1024];

        s3.client().uploadPart(b -> b.bucket("b").key("blobs/k").uploadId("u").partNumber(1).contentLength((long) part.length),
            RequestBody.fromBytes(part));

        assertThat(requests).singleElement().satisfies(headers -> assertThat(headers).doesNotContainKey(SendBodyAtOnce.EXPECT));
    }
}
