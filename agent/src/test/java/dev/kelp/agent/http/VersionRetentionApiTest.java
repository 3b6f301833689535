package dev.kelp.agent.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micronaut.context.ApplicationContext;
import io.micronaut.json.JsonMapper;
import io.micronaut.runtime.server.EmbeddedServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Versioning with keep-for only (2s, swept every 200ms) and a byte quota of 1000: kept versions
 * count against the quota until the sweeper lets them go, without another write of the key.
 */
class VersionRetentionApiTest {

    @TempDir
    static Path dir;
    static EmbeddedServer server;
    static HttpClient http = HttpClient.newHttpClient();
    static String base;
    static JsonMapper json;

    @BeforeAll
    static void start() {
        server = ApplicationContext.run(EmbeddedServer.class, Map.of(
            "micronaut.server.port", -1,
            "kelp.fallback.dir", dir.toString(),
            "kelp.storage.buckets", List.of("docs"),
            "kelp.storage.quota-max-bytes", 1000,
            "kelp.versioning.enabled", true,
            "kelp.versioning.keep-for", "2s",
            "kelp.versioning.sweep-interval", "200ms"));
        base = "http://127.0.0.1:" + server.getPort() + "/v1/";
        json = server.getApplicationContext().getBean(JsonMapper.class);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static HttpResponse<String> send(String method, String path, byte[] body) throws Exception {
        var b = HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "text/plain");
        b.method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofByteArray(body));
        return http.send(b.build(), BodyHandlers.ofString());
    }

    static List<VersionInfo> versions(String key) throws Exception {
        return json.readValue(send("GET", "versions/docs/" + key, null).body(), VersionListing.class).versions();
    }

    @Test
    void keptVersionsCountAgainstTheQuotaUntilTheSweeperRemovesThem() throws Exception {
        byte[] sixHundred = "x".repeat(600).getBytes();
        byte[] fiveHundred = "y".repeat(500).getBytes();
        assertThat(send("PUT", "objects/docs/big.txt", sixHundred).statusCode()).isEqualTo(201);

        var refused = send("PUT", "objects/docs/big.txt", fiveHundred);
        assertThat(refused.statusCode()).as("600 kept + 500 new > 1000").isEqualTo(507);
        assertThat(json.readValue(refused.body(), ErrorBody.class).code()).isEqualTo("QuotaExceeded");
        assertThat(versions("big.txt")).as("nothing changed").hasSize(1);

        var small = send("PUT", "objects/docs/big.txt", "z".repeat(300).getBytes());
        assertThat(small.statusCode()).isEqualTo(201);
        assertThat(versions("big.txt")).hasSize(2);
        assertThat(send("PUT", "objects/docs/other.txt", "w".repeat(200).getBytes()).statusCode())
            .as("600 + 300 + 200 > 1000 while the replaced version is kept").isEqualTo(507);

        // No further write of big.txt: the sweeper removes the version replaced more than 2s ago.
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).until(() -> versions("big.txt").size() == 1);
        assertThat(versions("big.txt").getFirst().size()).isEqualTo(300);
        assertThat(send("PUT", "objects/docs/other.txt", "w".repeat(200).getBytes()).statusCode()).isEqualTo(201);
    }
}
