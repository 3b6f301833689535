package dev.kelp.agent.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tiering endpoints on the embedded default (H2, no SeaweedFS): the cost report counts and
 * prices every object per tier, per bucket and per rule; running a rule that cannot move
 * anything here says why; an unknown rule is a 404; a rule that cannot be carried out stops the
 * agent at startup naming it. Moving blobs for real is TieringIT's, on the proving ground.
 */
class TieringApiTest {

    @TempDir
    static Path dir;
    static EmbeddedServer server;
    static HttpClient http = HttpClient.newHttpClient();
    static String base;

    @BeforeAll
    static void start() throws Exception {
        var config = new HashMap<String, Object>(Map.of(
            "micronaut.server.port", -1,
            "kelp.fallback.dir", dir.toString(),
            "kelp.storage.buckets", List.of("docs", "media"),
            "kelp.tiering.hot-price-per-gib-month", "2048",
            "kelp.tiering.cold-price-per-gib-month", "1024"));
        config.put("kelp.tiering.rules[0].name", "archive");
        config.put("kelp.tiering.rules[0].match.prefix", "reports/");
        config.put("kelp.tiering.rules[0].match.content-types", List.of("text/*"));
        config.put("kelp.tiering.rules[0].match.min-size", "1KiB");
        config.put("kelp.tiering.rules[0].cold-after", "1s");
        config.put("kelp.tiering.rules[0].target.bucket", "cold");
        server = ApplicationContext.run(EmbeddedServer.class, config);
        base = "http://127.0.0.1:" + server.getPort() + "/v1/";
        put("docs/reports/a.txt", "text/plain", 2048);
        put("docs/reports/b.csv", "text/csv; charset=utf-8", 1024);
        put("docs/reports/small.txt", "text/plain", 10);
        put("docs/reports/c.png", "image/png", 4096);
        put("media/reports/d.txt", "text/plain", 3072);
        put("media/other.txt", "text/plain", 512);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static void put(String path, String type, int size) throws Exception {
        var r = http.send(HttpRequest.newBuilder(URI.create(base + "objects/" + path)).header("Content-Type", type)
            .PUT(BodyPublishers.ofByteArray(new byte[size])).build(), BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    }

    static HttpResponse<String> send(String method, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).method(method, BodyPublishers.noBody()).build(), BodyHandlers.ofString());
    }

    @Test
    void theCostReportCountsEveryObjectPerTierPerBucketAndPerRule() throws Exception {
        var r = send("GET", "tiering/report");
        assertThat(r.statusCode()).isEqualTo(200);
        String body = r.body();
        // Per bucket: every object; per rule: reports/ text/* of at least 1 KiB. Nothing is cold here.
        assertThat(body).contains("\"bucket\":\"docs\",\"hot\":{\"objects\":4,\"bytes\":7178},\"cold\":{\"objects\":0,\"bytes\":0}");
        assertThat(body).contains("\"bucket\":\"media\",\"hot\":{\"objects\":2,\"bytes\":3584}");
        assertThat(body).contains("\"rule\":\"archive\",\"bucket\":\"docs\",\"hot\":{\"objects\":2,\"bytes\":3072}");
        assertThat(body).contains("\"rule\":\"archive\",\"bucket\":\"media\",\"hot\":{\"objects\":1,\"bytes\":3072}");
        assertThat(body).contains("\"total\":{\"hot\":{\"objects\":6,\"bytes\":10762}");
        // 3072 bytes at 2048 per GiB-month: 3072 / 2^30 * 2048 = 0.00586 → 0.0059.
        assertThat(body).contains("\"prices\":{\"currency\":\"USD\",\"hotPerGibMonth\":2048.0,\"coldPerGibMonth\":1024.0}",
            "\"estimatedMonthlyCost\":0.0059");
    }

    @Test
    void aRunOnAnAgentWithoutSeaweedFsFailsAndSaysWhy() throws Exception {
        http.send(HttpRequest.newBuilder(URI.create(base + "objects/docs/reports/a.txt")).build(), BodyHandlers.ofString());
        var r = send("POST", "tiering/rules/archive/run");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"rule\":\"archive\"", "\"phase\":\"Failed\"", "tiering moves blobs from SeaweedFS", "kelp.seaweedfs.endpoint");
    }

    @Test
    void anUnknownRuleIsA404AndRunsNothing() throws Exception {
        var r = send("POST", "tiering/rules/nightly/run");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.body()).contains("UnknownTierRule", "no tier rule named nightly", "archive");
    }

    @Test
    void aRuleThatCannotBeCarriedOutStopsTheAgentNamingIt() {
        var config = new HashMap<String, Object>(Map.of("micronaut.server.port", -1, "kelp.fallback.dir", dir.resolve("bad").toString()));
        config.put("kelp.tiering.rules[0].name", "broken");
        config.put("kelp.tiering.rules[0].cold-after", "2h");
        config.put("kelp.tiering.rules[0].expire-after", "1h");
        config.put("kelp.tiering.rules[0].target.bucket", "cold");
        assertThatThrownBy(() -> {
            try (var ctx = ApplicationContext.run(EmbeddedServer.class, config)) {
                ctx.getApplicationContext().getBean(dev.kelp.agent.tiering.TierRules.class);
            }
        }).hasStackTraceContaining("kelp.tiering.rules broken: expire-after (PT1H) must be longer than cold-after (PT2H)");
    }
}
