package dev.kelp.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A full fallback volume: a clear 507, no partial object, nothing left in staging, earlier objects intact. */
class FallbackFullApiTest {

    @TempDir
    static Path dir;
    static EmbeddedServer server;
    static final HttpClient http = HttpClient.newHttpClient();
    static String base;

    @BeforeAll
    static void start() {
        server = ApplicationContext.run(EmbeddedServer.class, Map.of(
            "micronaut.server.port", -1,
            "kelp.fallback.dir", dir.toString(),
            "kelp.fallback.max-bytes", "1MiB",
            "kelp.storage.buckets", List.of("cards")));
        base = "http://127.0.0.1:" + server.getPort() + "/v1/objects/cards/";
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void writesPastTheVolumeLimitAre507AndLeaveNothingBehind() throws Exception {
        byte[] chunk = new byte[300 * 1024];
        int stored = 0;
        HttpResponse<String> refused = null;
        for (int i = 0; i < 10; i++) {
            chunk[0] = (byte) i; // distinct contents: no dedup
            var response = http.send(HttpRequest.newBuilder(URI.create(base + "part-" + i)).header("Content-Type", "application/octet-stream")
                .PUT(BodyPublishers.ofByteArray(chunk)).build(), BodyHandlers.ofString());
            if (response.statusCode() != 201) {
                refused = response;
                break;
            }
            stored++;
        }
        assertThat(stored).isEqualTo(3);
        assertThat(refused).isNotNull();
        assertThat(refused.statusCode()).isEqualTo(507);
        assertThat(refused.body()).contains("fallback volume");
        assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "part-" + stored)).build(), BodyHandlers.discarding()).statusCode())
            .isEqualTo(404);
        try (var staging = Files.list(dir.resolve("staging"))) {
            assertThat(staging.toList()).isEmpty();
        }
        for (int i = 0; i < stored; i++) {
            var got = http.send(HttpRequest.newBuilder(URI.create(base + "part-" + i)).build(), BodyHandlers.ofByteArray());
            assertThat(got.statusCode()).isEqualTo(200);
            assertThat(got.body()[0]).isEqualTo((byte) i);
        }
    }
}
