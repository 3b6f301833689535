package dev.kelp.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With kelp.api.token set, /v1 needs the token; probes and metrics stay open. */
class ApiTokenAndModeTest {

    @TempDir
    static Path dir;
    static EmbeddedServer server;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        server = ApplicationContext.run(EmbeddedServer.class, Map.of(
            "micronaut.server.port", -1,
            "kelp.fallback.dir", dir.toString(),
            "kelp.api.token", "s3cr3t-token"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static java.net.http.HttpResponse<String> get(String path, String... headers) throws Exception {
        var b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getPort() + path));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), BodyHandlers.ofString());
    }

    @Test
    void missingOrWrongTokenIs401AndChangesNothing() throws Exception {
        var none = get("/v1/objects/default");
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.body()).contains("requires an API token");

        var wrong = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getPort() + "/v1/objects/default/a.txt"))
            .header("Authorization", "Bearer guess").PUT(HttpRequest.BodyPublishers.ofString("x")).build(), BodyHandlers.ofString());
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.body()).contains("token is wrong");

        var check = get("/v1/objects/default/a.txt", "Authorization", "Bearer s3cr3t-token");
        assertThat(check.statusCode()).isEqualTo(404);
    }

    @Test
    void theRightTokenIsAccepted() throws Exception {
        var put = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getPort() + "/v1/objects/default/ok.txt"))
            .header("Authorization", "Bearer s3cr3t-token").header("Content-Type", "text/plain")
            .PUT(HttpRequest.BodyPublishers.ofString("fine")).build(), BodyHandlers.ofString());
        assertThat(put.statusCode()).isEqualTo(201);
    }

    @Test
    void probesAndMetricsNeedNoToken() throws Exception {
        assertThat(get("/health/readiness").statusCode()).isEqualTo(200);
        assertThat(get("/prometheus").body()).contains("kelp_mode");
    }

    @Test
    void modeReportsLocalOnlyOnTheEmbeddedDefaultWithItsReason() throws Exception {
        var mode = get("/v1/mode", "Authorization", "Bearer s3cr3t-token");
        assertThat(mode.statusCode()).isEqualTo(200);
        assertThat(mode.body()).contains("\"mode\":\"LOCAL_ONLY\"").contains("no SeaweedFS endpoint configured")
            .contains("\"pending\":{\"objects\":0,\"bytes\":0,\"oldestAgeSeconds\":0}");
    }
}
