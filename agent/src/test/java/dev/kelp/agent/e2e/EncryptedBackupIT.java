package dev.kelp.agent.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kelp.testkit.ProvingGround;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A backup of a policy with encryption at rest holds no plaintext: its blobs on the target are
 * sealed in the same envelope as on SeaweedFS, a restore with the policy's key brings every
 * object back byte for byte, and a restore without that key fails and writes nothing.
 */
class EncryptedBackupIT {

    private static final byte[] MARKER = "kelp-plaintext-marker".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path work;

    private final String bucket = "encbk-" + Long.toString(System.nanoTime(), 36);
    private final String target = bucket + "-backups";
    private TcpGate gate;
    private S3Client s3;
    private EncryptedAgent agent;

    @BeforeEach
    void gate() {
        URI endpoint = URI.create(ProvingGround.require("KELP_S3_ENDPOINT"));
        gate = new TcpGate(endpoint.getHost(), endpoint.getPort());
        gate.open();
        s3 = EncryptedAgent.plainS3();
    }

    @AfterEach
    void close() {
        if (agent != null) {
            agent.close();
        }
        gate.close();
        s3.close();
    }

    @Test
    void theBackupIsSealedAndOnlyTheKeyRestoresIt() throws Exception {
        Path keys = work.resolve("keys");
        EncryptedAgent.mountSecret(keys, EncryptedAgent.newKey(1));
        agent = new EncryptedAgent(work.resolve("fallback"), bucket, gate, keys, schedule());
        var written = new HashMap<String, byte[]>();
        var random = new Random(7);
        for (int i = 0; i < 20; i++) {
            byte[] body = new byte[1000 + random.nextInt(200_000)];
            random.nextBytes(body);
            System.arraycopy(MARKER, 0, body, 0, MARKER.length);
            assertThat(agent.put("cards/" + i, body).statusCode()).isEqualTo(201);
            written.put("cards/" + i, body);
        }

        var backup = post("/v1/backups/sealed", null);
        assertThat(backup.body()).contains("\"phase\":\"Succeeded\"", "\"verified\":true");
        var stored = EncryptedAgent.objects(s3, target, "sealed/blobs/");
        assertThat(stored).hasSize(20);
        assertThat(stored.keySet()).allMatch(k -> k.endsWith(".enc"));
        assertThat(stored.values()).as("no plaintext on the backup target").allMatch(raw -> EncryptedAgent.indexOf(raw, MARKER) < 0);

        for (String key : written.keySet()) {
            assertThat(delete(key)).isEqualTo(204);
        }
        assertThat(awaitRestore(post("/v1/restores", "{\"schedule\":\"sealed\"}").body()))
            .contains("\"phase\":\"Succeeded\"", "\"objects\":20", "\"failedObjects\":0");
        for (var e : written.entrySet()) {
            assertThat(agent.get(e.getKey()).body()).as(e.getKey()).isEqualTo(e.getValue());
        }

        // Another key, as a policy whose Secret was lost or replaced: the restore fails and writes nothing.
        assertThat(delete("cards/0")).isEqualTo(204);
        agent.close();
        Path otherKeys = work.resolve("other-keys");
        EncryptedAgent.mountSecret(otherKeys, EncryptedAgent.newKey(2));
        agent = new EncryptedAgent(work.resolve("fallback-2"), bucket, gate, otherKeys, schedule());
        String failed = awaitRestore(post("/v1/restores", "{\"schedule\":\"sealed\"}").body());
        assertThat(failed).contains("\"phase\":\"Failed\"", "\"objects\":0", "\"failedObjects\":20", EncryptedAgent.idOf(EncryptedAgent.newKey(1)));
        assertThat(agent.get("cards/0").statusCode()).as("nothing written").isEqualTo(404);
    }

    private Map<String, Object> schedule() {
        return Map.of("kelp.backups.schedules", List.of(Map.of("name", "sealed", "schedule", "0 0 1 1 *", "verify", true,
            "target", Map.of("bucket", target))));
    }

    private String awaitRestore(String started) {
        var id = java.util.regex.Pattern.compile("\"id\":\"([^\"]+)\"").matcher(started);
        assertThat(id.find()).as(started).isTrue();
        return await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200))
            .until(() -> get("/v1/restores/" + id.group(1)), body -> !body.contains("\"phase\":\"Running\""));
    }

    private String base() {
        return "http://127.0.0.1:" + agent.server.getPort();
    }

    private int delete(String key) throws Exception {
        return EncryptedAgent.HTTP.send(HttpRequest.newBuilder(agent.uri(key)).DELETE().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private String get(String path) throws Exception {
        return EncryptedAgent.HTTP.send(HttpRequest.newBuilder(URI.create(base() + path)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private HttpResponse<String> post(String path, String json) throws Exception {
        var request = HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofMinutes(2));
        request = json == null ? request.POST(HttpRequest.BodyPublishers.noBody())
            : request.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        return EncryptedAgent.HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
