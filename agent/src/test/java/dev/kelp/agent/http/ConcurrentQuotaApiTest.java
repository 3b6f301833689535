package dev.kelp.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.agent.blob.local.LocalBlobStore;
import dev.kelp.agent.object.ContentHash;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sixteen clients race for the last ten objects of a bucket's quota: exactly ten are stored,
 * the other six get 507 QuotaExceeded, and no byte of a refused write stays on the volume.
 */
class ConcurrentQuotaApiTest {

    private static final int CLIENTS = 16;
    private static final int QUOTA = 10;

    @TempDir
    static Path dir;
    static EmbeddedServer server;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        server = ApplicationContext.run(EmbeddedServer.class, Map.of(
            "micronaut.server.port", -1,
            "kelp.fallback.dir", dir.toString(),
            "kelp.storage.buckets", List.of("race"),
            "kelp.storage.quota-max-objects", QUOTA,
            "kelp.reclaim.after", "100ms",
            "kelp.reclaim.interval", "200ms"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void sixteenClientsRacingForTenObjectsStoreExactlyTen() throws Exception {
        List<CompletableFuture<HttpResponse<String>>> puts = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            puts.add(HTTP.sendAsync(HttpRequest.newBuilder(uri("race/k" + i)).header("Content-Type", "text/plain")
                .PUT(BodyPublishers.ofByteArray(body(i))).build(), BodyHandlers.ofString()));
        }
        List<HttpResponse<String>> answers = puts.stream().map(CompletableFuture::join).toList();

        assertThat(answers.stream().filter(r -> r.statusCode() == 201)).hasSize(QUOTA);
        assertThat(answers.stream().filter(r -> r.statusCode() != 201))
            .hasSize(CLIENTS - QUOTA)
            .allSatisfy(r -> {
                assertThat(r.statusCode()).isEqualTo(507);
                assertThat(r.body()).contains("QuotaExceeded");
            });
        var stored = IntStream.range(0, CLIENTS).filter(i -> answers.get(i).statusCode() == 201).boxed().toList();
        var blobs = server.getApplicationContext().getBean(LocalBlobStore.class);
        Awaitility.await("the refused writes' bytes are reclaimed").atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            for (int i = 0; i < CLIENTS; i++) {
                assertThat(blobs.exists("race", ContentHash.ofBytes(body(i)))).as("blob of k%d", i).isEqualTo(stored.contains(i));
            }
        });
        for (int i : stored) {
            assertThat(get("race/k" + i).body()).isEqualTo(new String(body(i), StandardCharsets.UTF_8));
        }
        assertThat(put("race/one-more").statusCode()).isEqualTo(507);
    }

    private static byte[] body(int i) {
        return ("object " + i + " ").repeat(200).getBytes(StandardCharsets.UTF_8);
    }

    private static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.getPort() + "/v1/objects/" + path);
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri(path)).build(), BodyHandlers.ofString());
    }

    private static HttpResponse<String> put(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "text/plain")
            .PUT(BodyPublishers.ofString("x")).build(), BodyHandlers.ofString());
    }
}
