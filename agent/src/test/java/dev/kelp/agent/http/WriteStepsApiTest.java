package dev.kelp.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each write is timed step by step in kelp_write_step_seconds, which /prometheus serves. */
class WriteStepsApiTest {

    private static final Pattern COUNT = Pattern.compile("^kelp_write_step_seconds_count\\{[^}]*step=\"([^\"]+)\"[^}]*\\} ([0-9.eE+]+)$",
        Pattern.MULTILINE);

    @TempDir
    static Path dir;
    static EmbeddedServer server;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        server = ApplicationContext.run(EmbeddedServer.class, Map.of(
            "micronaut.server.port", -1,
            "kelp.fallback.dir", dir.toString(),
            "kelp.storage.buckets", List.of("notes")));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aNewBodyIsTimedAtEveryStepAndADuplicateSkipsTheStore() throws Exception {
        Map<String, Double> before = stepCounts();

        put("notes/a.txt", "the same words");
        Map<String, Double> afterNew = stepCounts();
        assertThat(delta(before, afterNew)).containsExactlyInAnyOrderEntriesOf(Map.of(
            "receive", 1.0, "dedup-lookup", 1.0, "store", 1.0, "metadata", 1.0));

        // The same content under another key is deduplicated: its bytes are not stored again.
        put("notes/b.txt", "the same words");
        assertThat(delta(afterNew, stepCounts())).containsExactlyInAnyOrderEntriesOf(Map.of(
            "receive", 1.0, "dedup-lookup", 1.0, "store", 0.0, "metadata", 1.0));
    }

    private static void put(String path, String body) throws Exception {
        var put = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getPort() + "/v1/objects/" + path))
            .header("Content-Type", "text/plain").PUT(BodyPublishers.ofString(body)).build(), BodyHandlers.ofString());
        assertThat(put.statusCode()).isEqualTo(201);
    }

    private static Map<String, Double> stepCounts() throws Exception {
        String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getPort() + "/prometheus")).build(),
            BodyHandlers.ofString()).body();
        Map<String, Double> counts = new HashMap<>();
        Matcher m = COUNT.matcher(metrics);
        while (m.find()) {
            counts.put(m.group(1), Double.parseDouble(m.group(2)));
        }
        assertThat(counts).containsOnlyKeys("receive", "dedup-lookup", "store", "metadata");
        return counts;
    }

    private static Map<String, Double> delta(Map<String, Double> from, Map<String, Double> to) {
        Map<String, Double> delta = new HashMap<>();
        to.forEach((step, count) -> delta.put(step, count - from.getOrDefault(step, 0.0)));
        return delta;
    }
}
