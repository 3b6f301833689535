package dev.kelp.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.agent.object.ContentHash;
import dev.kelp.agent.stream.NettyLeakWatch;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every request body the native API takes is released, stored or refused. Netty's leak detector
 * (at its paranoid level, which tracks every buffer) reports a buffer that was garbage-collected
 * unreleased; a body left unreleased on each small PUT was native memory lost for good, about
 * 10 KiB per write, enough to take an agent past a 512Mi limit in some 20,000 writes (docs/benchmarks.md).
 */
class RequestBodyReleaseTest {

    private static final Pattern UPLOAD_ID = Pattern.compile("\"uploadId\"\\s*:\\s*\"([^\"]+)\"");

    @TempDir
    static Path dir;
    static EmbeddedServer server;
    static HttpClient http = HttpClient.newHttpClient();
    static String base;
    static NettyLeakWatch leaks;

    @BeforeAll
    static void start() {
        leaks = new NettyLeakWatch();
        server = ApplicationContext.run(EmbeddedServer.class, Map.of(
            "micronaut.server.port", -1,
            "kelp.fallback.dir", dir.toString(),
            "kelp.storage.buckets", List.of("media"),
            "kelp.storage.max-object-size", "256KiB",
            "kelp.storage.allowed-content-types", List.of("application/octet-stream", "application/json")));
        base = "http://127.0.0.1:" + server.getPort();
    }

    @AfterAll
    static void stop() {
        server.close();
        leaks.close();
    }

    static HttpResponse<String> send(String method, String path, BodyPublisher body, String... headers) throws Exception {
        var b = HttpRequest.newBuilder(URI.create(base + path)).method(method, body);
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), BodyHandlers.ofString());
    }

    static byte[] random(Random random, int size) {
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        return bytes;
    }

    @Test
    void bodiesStoredRefusedOrCompletedAreAllReleased() throws Exception {
        Random random = new Random(5);
        String octets = "application/octet-stream";
        for (int i = 0; i < 200; i++) {
            assertThat(send("PUT", "/v1/objects/media/small/" + i, BodyPublishers.ofByteArray(random(random, 4096)),
                "Content-Type", octets).statusCode()).isEqualTo(201);
        }
        for (int i = 0; i < 10; i++) {
            assertThat(send("PUT", "/v1/objects/media/large/" + i, BodyPublishers.ofByteArray(random(random, 200_000)),
                "Content-Type", octets).statusCode()).isEqualTo(201);
        }
        assertThat(send("PUT", "/v1/objects/media/empty", BodyPublishers.noBody(), "Content-Type", octets).statusCode()).isEqualTo(201);
        for (int i = 0; i < 20; i++) {
            byte[] small = random(random, 4096);
            assertThat(send("PUT", "/v1/objects/nowhere/k", BodyPublishers.ofByteArray(small), "Content-Type", octets).statusCode())
                .isEqualTo(404);
            assertThat(send("PUT", "/v1/objects/media/k", BodyPublishers.ofByteArray(small), "Content-Type", "text/plain").statusCode())
                .isEqualTo(415);
            assertThat(send("PUT", "/v1/objects/media/../k", BodyPublishers.ofByteArray(small), "Content-Type", octets).statusCode())
                .isEqualTo(400);
        }
        assertThat(send("PUT", "/v1/objects/media/too-big", BodyPublishers.ofByteArray(random(random, 300_000)),
            "Content-Type", octets).statusCode()).isEqualTo(413);

        for (int i = 0; i < 10; i++) {
            var created = send("POST", "/v1/uploads/media/parts/" + i, BodyPublishers.noBody());
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            Matcher m = UPLOAD_ID.matcher(created.body());
            assertThat(m.find()).isTrue();
            byte[] part = random(random, 4096);
            var uploaded = send("PUT", "/v1/uploads/" + m.group(1) + "/parts/1", BodyPublishers.ofByteArray(part));
            assertThat(uploaded.statusCode()).as(uploaded.body()).isEqualTo(200);
            String list = "[{\"partNumber\":1,\"etag\":\"" + ContentHash.ofBytes(part).hex() + "\"}]";
            var completed = send("POST", "/v1/uploads/" + m.group(1) + "/complete", BodyPublishers.ofString(list),
                "Content-Type", "application/json");
            assertThat(completed.statusCode()).as(completed.body()).isEqualTo(201);
        }

        leaks.assertNoLeaks(() -> send("PUT", "/v1/objects/media/after/" + random.nextInt(), BodyPublishers.ofByteArray(random(random, 4096)),
            "Content-Type", octets));
    }
}
