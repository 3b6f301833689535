package dev.kelp.agent.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.testkit.ProvingGround;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Signed URLs on the packaged agent against the real SeaweedFS: in FULL mode a GET URL is an
 * S3 presigned URL that SeaweedFS itself serves; with SeaweedFS killed the agent signs URLs
 * of its own, which keep working through the outage.
 */
class SignedUrlsIT {

    private static final String BUCKET = "signed-" + Long.toString(System.currentTimeMillis(), 36);
    private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ProvingGround.Service seaweedfs = ProvingGround.service("seaweedfs");
    private static AgentProcess agent;

    @BeforeAll
    static void startAgent() throws Exception {
        seaweedfs.start();
        Path work = Files.createTempDirectory("kelp-signed-it");
        agent = AgentProcess.start(work, ProvingGroundConfig.render(work.resolve("fallback"), List.of(BUCKET)));
    }

    @AfterAll
    static void stopAgent() throws Exception {
        seaweedfs.start();
        if (agent != null) {
            agent.close();
        }
    }

    @Test
    void fullModeGivesS3PresignedUrlsAndAnOutageGivesAgentUrlsThatWork() throws Exception {
        assertThat(send("PUT", "/v1/objects/" + BUCKET + "/cards/welcome.html", "<h1>hi</h1>").statusCode()).isEqualTo(201);
        var direct = sign("cards/welcome.html");
        assertThat(direct).contains("\"signedBy\":\"seaweedfs\"");
        String s3Url = urlOf(direct);
        assertThat(URI.create(s3Url).getPort()).as("served by SeaweedFS, not the agent")
            .isEqualTo(URI.create(ProvingGround.require("KELP_S3_ENDPOINT")).getPort());
        var fromSeaweed = http.send(HttpRequest.newBuilder(URI.create(s3Url)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(fromSeaweed.statusCode()).isEqualTo(200);
        assertThat(fromSeaweed.body()).isEqualTo("<h1>hi</h1>");
        var tampered = http.send(HttpRequest.newBuilder(URI.create(s3Url.replaceAll("X-Amz-Signature=[0-9a-f]+", "X-Amz-Signature=" + "0".repeat(64))))
            .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(tampered.statusCode()).as("SeaweedFS checks the presigned signature").isEqualTo(403);

        seaweedfs.kill();
        agent.awaitMode("FALLBACK", Duration.ofSeconds(30));
        assertThat(send("PUT", "/v1/objects/" + BUCKET + "/cards/during-outage.html", "<h1>still here</h1>").statusCode()).isEqualTo(201);
        var own = sign("cards/during-outage.html");
        assertThat(own).contains("\"signedBy\":\"agent\"");
        var fromAgent = http.send(HttpRequest.newBuilder(URI.create(urlOf(own))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(fromAgent.statusCode()).isEqualTo(200);
        assertThat(fromAgent.body()).isEqualTo("<h1>still here</h1>");
    }

    private static String sign(String key) throws Exception {
        var response = send("POST", "/v1/signed-urls", "{\"bucket\":\"" + BUCKET + "\",\"key\":\"" + key + "\",\"expiresInSeconds\":300}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return response.body();
    }

    private static String urlOf(String signed) {
        return signed.replaceAll(".*\"url\":\"([^\"]+)\".*", "$1");
    }

    private static HttpResponse<String> send(String method, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(agent.baseUrl() + path))
            .header("Content-Type", method.equals("POST") ? "application/json" : "text/html")
            .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
