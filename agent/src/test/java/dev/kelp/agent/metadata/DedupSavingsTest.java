package dev.kelp.agent.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dedup-savings gauge as Prometheus scrapes it, on the embedded default, after real PUTs and DELETEs. */
class DedupSavingsTest {

    @TempDir
    Path dir;
    EmbeddedServer server;
    final HttpClient http = HttpClient.newHttpClient();
    String base;

    @BeforeEach
    void start() {
        server = ApplicationContext.run(EmbeddedServer.class, Map.of(
            "micronaut.server.port", -1,
            "kelp.fallback.dir", dir.toString(),
            "kelp.storage.buckets", List.of("cards", "other")));
        base = "http://127.0.0.1:" + server.getPort();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void twoPutsOfTheSameContentSaveOneCopy() throws Exception {
        DedupSavings savings = server.getApplicationContext().getBean(DedupSavings.class);
        assertThat(savings.refresh()).isTrue();
        assertThat(saved("cards")).isEqualTo(0.0);

        byte[] same = random(1000, 1);
        put("cards/a.bin", same);
        put("cards/b.bin", same);
        put("cards/c.bin", random(500, 2));
        assertThat(savings.refresh()).isTrue();
        assertThat(saved("cards")).isEqualTo(1000.0);
        assertThat(saved("other")).isEqualTo(0.0);

        // Overwriting one copy with new content, then deleting the other: nothing shared any more.
        put("cards/b.bin", random(700, 3));
        assertThat(savings.refresh()).isTrue();
        assertThat(saved("cards")).isEqualTo(0.0);
        put("cards/d.bin", same);
        assertThat(savings.refresh()).isTrue();
        assertThat(saved("cards")).isEqualTo(1000.0);
        assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/v1/objects/cards/d.bin")).DELETE().build(),
            BodyHandlers.discarding()).statusCode()).isEqualTo(204);
        assertThat(savings.refresh()).isTrue();
        assertThat(saved("cards")).isEqualTo(0.0);
    }

    @Test
    void aScrapeAloneBringsTheFiguresUpToDate() throws Exception {
        byte[] same = random(4096, 4);
        put("cards/x", same);
        put("cards/y", same);
        // No explicit refresh: the first scrape starts one in the background, a later scrape reads it.
        Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> saved("cards") == 4096.0);
    }

    private void put(String path, byte[] body) throws Exception {
        var response = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/objects/" + path))
            .header("Content-Type", "application/octet-stream").PUT(BodyPublishers.ofByteArray(body)).build(), BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    }

    /** The gauge's value for {@code bucket} in the agent's Prometheus output; NaN when absent or not yet read. */
    private double saved(String bucket) throws Exception {
        String metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/prometheus")).build(), BodyHandlers.ofString()).body();
        Matcher m = Pattern.compile("(?m)^kelp_dedup_saved_bytes\\{[^}]*bucket=\"" + bucket + "\"[^}]*\\} (\\S+)$").matcher(metrics);
        assertThat(m.find()).as("kelp_dedup_saved_bytes for %s in %s", bucket, metrics).isTrue();
        return Double.parseDouble(m.group(1));
    }

    private static byte[] random(int size, long seed) {
        byte[] body = new byte[size];
        new Random(seed).nextBytes(body);
        return body;
    }
}
