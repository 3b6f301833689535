package dev.kelp.agent.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kelp.agent.object.ContentHash;
import dev.kelp.testkit.ProvingGround;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Versions on the real proving ground (the packaged agent, SeaweedFS, PostgreSQL) with
 * versioning on and keep-last 3: many versions of many objects, PostgreSQL killed (kill -9)
 * half-way, and afterwards every acknowledged version is there with the id it was given, byte
 * for byte, exactly once, with retention applied; rollback, diff and delete markers work.
 */
class VersionsProvingGroundIT {

    private static final int KEYS = 12;
    private static final int VERSIONS = 8;
    private static final int KILL_AFTER = 4;
    private static final int KEEP_LAST = 3;
    private static final String BUCKET = "versions-" + Long.toString(System.currentTimeMillis(), 36);
    private static final Pattern VERSION = Pattern.compile("\"version\":\"([0-9a-f-]{36})\"");
    private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ProvingGround.Service postgres = ProvingGround.service("postgres");
    private static AgentProcess agent;

    @BeforeAll
    static void startAgent() throws Exception {
        postgres.start();
        Path work = Files.createTempDirectory("kelp-versions-it");
        String config = """
            kelp:
              storage:
                buckets: [%s]
              fallback:
                dir: %s
              seaweedfs:
                endpoint: %s
                region: %s
                access-key: %s
                secret-key: %s
              metadata:
                url: %s
                username: %s
                password: %s
              versioning:
                enabled: true
                keep-last: %d
                keep-for: 720h
            """.formatted(BUCKET, work.resolve("fallback"),
            ProvingGround.require("KELP_S3_ENDPOINT"), ProvingGround.require("KELP_S3_REGION"),
            ProvingGround.require("KELP_S3_ACCESS_KEY"), ProvingGround.require("KELP_S3_SECRET_KEY"),
            ProvingGround.require("KELP_PG_URL"), ProvingGround.require("KELP_PG_USER"), ProvingGround.require("KELP_PG_PASSWORD"),
            KEEP_LAST);
        agent = AgentProcess.start(work, config);
    }

    @AfterAll
    static void stopAgent() throws Exception {
        postgres.start();
        if (agent != null) {
            agent.close();
        }
    }

    record Written(String version, byte[] content) {
    }

    @Test
    void everyAcknowledgedVersionSurvivesAPostgresKillAndRetentionKeepsExactlyTheNewest() throws Exception {
        Random random = new Random(42);
        Map<String, List<Written>> written = new LinkedHashMap<>();
        for (int k = 0; k < KEYS; k++) {
            written.put("docs/%02d.txt".formatted(k), new ArrayList<>());
        }
        String deletedKey = "docs/00.txt";
        long outageStarted = 0;
        for (int v = 0; v < VERSIONS; v++) {
            if (v == KILL_AFTER) {
                postgres.kill();
                outageStarted = System.nanoTime();
            }
            for (var entry : written.entrySet()) {
                byte[] content = entry.getKey().endsWith("11.txt") ? randomBytes(random, 300_000)
                    : ("header\nversion " + v + " of " + entry.getKey() + "\nfooter " + random.nextInt() + "\n").getBytes(StandardCharsets.UTF_8);
                var r = send("PUT", "/v1/objects/" + BUCKET + "/" + entry.getKey(), content);
                assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
                String version = r.headers().firstValue("x-kelp-version-id").orElseThrow();
                assertThat(versionIn(r.body())).isEqualTo(version);
                entry.getValue().add(new Written(version, content));
            }
        }
        // Deleted during the outage: the marker is journaled with its id.
        var d = send("DELETE", "/v1/objects/" + BUCKET + "/" + deletedKey, null);
        assertThat(d.statusCode()).isEqualTo(204);
        String deleteMarker = d.headers().firstValue("x-kelp-version-id").orElseThrow();
        assertThat(agent.mode()).contains("\"mode\":\"LOCAL_ONLY\"");
        assertThat(send("GET", "/v1/versions/" + BUCKET + "/docs/01.txt", null).statusCode())
            .as("the history waits for the replay").isEqualTo(503);
        // Read-your-writes of a version acknowledged during the outage.
        var during = written.get("docs/01.txt").get(VERSIONS - 1);
        assertThat(getBytes("/v1/objects/" + BUCKET + "/docs/01.txt?versionId=" + during.version())).isEqualTo(during.content());

        long outageMillis = (System.nanoTime() - outageStarted) / 1_000_000;
        postgres.start();
        long restarted = System.nanoTime();
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
            .until(() -> agent.mode().contains("\"mode\":\"FULL\""));
        System.out.printf("versions: %d versions + 1 delete marker acknowledged while PostgreSQL was down (%d ms);"
            + " FULL again %d ms after it started%n", KEYS * (VERSIONS - KILL_AFTER), outageMillis, (System.nanoTime() - restarted) / 1_000_000);

        for (var entry : written.entrySet()) {
            String key = entry.getKey();
            List<Written> versions = entry.getValue();
            List<String> expected = new ArrayList<>();
            // The current version, then the newest KEEP_LAST earlier ones; for the deleted key the
            // marker is current and its last content version the newest earlier one.
            int fromVersion = VERSIONS - 1 - KEEP_LAST;
            if (key.equals(deletedKey)) {
                expected.add(deleteMarker);
                fromVersion++;
            }
            for (int v = VERSIONS - 1; v >= fromVersion; v--) {
                expected.add(versions.get(v).version());
            }
            var listing = send("GET", "/v1/versions/" + BUCKET + "/" + key, null);
            assertThat(listing.statusCode()).isEqualTo(200);
            assertThat(versionsIn(listing.body())).as("versions of %s", key).containsExactlyElementsOf(expected);
            for (Written w : versions) {
                var got = http.send(HttpRequest.newBuilder(URI.create(agent.baseUrl() + "/v1/objects/" + BUCKET + "/" + key
                    + "?versionId=" + w.version())).GET().build(), BodyHandlers.ofByteArray());
                if (expected.contains(w.version())) {
                    assertThat(got.statusCode()).isEqualTo(200);
                    assertThat(got.body()).as("%s@%s byte for byte", key, w.version()).isEqualTo(w.content());
                } else {
                    assertThat(got.statusCode()).as("%s@%s pruned by keep-last", key, w.version()).isEqualTo(404);
                }
            }
        }
        assertExactlyOnceInPostgres(written, deleteMarker);

        // The deleted key: 404 that says why; deleting the marker brings the last version back.
        var gone = send("GET", "/v1/objects/" + BUCKET + "/" + deletedKey, null);
        assertThat(gone.statusCode()).isEqualTo(404);
        assertThat(gone.headers().firstValue("x-kelp-delete-marker")).contains("true");
        assertThat(send("DELETE", "/v1/objects/" + BUCKET + "/" + deletedKey + "?versionId=" + deleteMarker, null).statusCode()).isEqualTo(204);
        assertThat(getBytes("/v1/objects/" + BUCKET + "/" + deletedKey)).isEqualTo(written.get(deletedKey).getLast().content());

        // Rollback shares the content by hash; diff compares two text versions.
        var key = "docs/03.txt";
        var old = written.get(key).get(VERSIONS - 3);
        var rolled = send("POST", "/v1/rollback/" + BUCKET + "/" + key + "?versionId=" + old.version(), null);
        assertThat(rolled.statusCode()).isEqualTo(201);
        assertThat(getBytes("/v1/objects/" + BUCKET + "/" + key)).isEqualTo(old.content());
        var diff = send("GET", "/v1/diff/" + BUCKET + "/" + key + "?from=" + written.get(key).get(VERSIONS - 1).version(), null);
        assertThat(diff.statusCode()).isEqualTo(200);
        assertThat(diff.body()).contains("-version " + (VERSIONS - 1) + " of " + key, "+version " + (VERSIONS - 3) + " of " + key, " header");
        var binaryDiff = send("GET", "/v1/diff/" + BUCKET + "/docs/11.txt?from=" + written.get("docs/11.txt").get(VERSIONS - 2).version(), null);
        assertThat(binaryDiff.statusCode()).isEqualTo(415);
    }

    private void assertExactlyOnceInPostgres(Map<String, List<Written>> written, String deleteMarker) throws Exception {
        try (var c = DriverManager.getConnection(ProvingGround.require("KELP_PG_URL"), ProvingGround.require("KELP_PG_USER"),
            ProvingGround.require("KELP_PG_PASSWORD")); var st = c.createStatement()) {
            try (var rs = st.executeQuery("SELECT COUNT(*), COUNT(DISTINCT version), SUM(CASE WHEN delete_marker THEN 0 ELSE 1 END),"
                + " SUM(size) FROM object_versions WHERE bucket = '" + BUCKET + "'")) {
                rs.next();
                assertThat(rs.getLong(1)).as("versions kept").isEqualTo((long) KEYS * (KEEP_LAST + 1));
                assertThat(rs.getLong(2)).as("each once").isEqualTo(rs.getLong(1));
                long contentVersions = rs.getLong(3);
                long bytes = rs.getLong(4);
                try (var blobs = c.createStatement().executeQuery("SELECT SUM(ref_count) FROM blobs WHERE bucket = '" + BUCKET + "'")) {
                    blobs.next();
                    assertThat(blobs.getLong(1)).as("one reference per content version").isEqualTo(contentVersions);
                }
                try (var usage = c.createStatement().executeQuery("SELECT SUM(bytes), SUM(objects) FROM bucket_usage WHERE bucket = '" + BUCKET + "'")) {
                    usage.next();
                    assertThat(usage.getLong(1)).as("usage counts every kept version").isEqualTo(bytes);
                    assertThat(usage.getLong(2)).isEqualTo(KEYS - 1);
                }
            }
        }
        assertThat(written).isNotEmpty();
        assertThat(deleteMarker).isNotNull();
    }

    private static byte[] randomBytes(Random random, int size) {
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        bytes[0] = 0;
        return bytes;
    }

    private static String versionIn(String json) {
        Matcher m = VERSION.matcher(json);
        assertThat(m.find()).as(json).isTrue();
        return m.group(1);
    }

    private static List<String> versionsIn(String json) {
        List<String> found = new ArrayList<>();
        Matcher m = VERSION.matcher(json);
        while (m.find()) {
            found.add(m.group(1));
        }
        return found;
    }

    private static byte[] getBytes(String path) throws Exception {
        var r = http.send(HttpRequest.newBuilder(URI.create(agent.baseUrl() + path)).GET().build(), BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).as(path).isEqualTo(200);
        return r.body();
    }

    private static HttpResponse<String> send(String method, String path, byte[] body) throws Exception {
        var b = HttpRequest.newBuilder(URI.create(agent.baseUrl() + path)).timeout(Duration.ofSeconds(60));
        b.method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofByteArray(body));
        if (body != null) {
            b.header("Content-Type", "text/plain");
        }
        return http.send(b.build(), BodyHandlers.ofString());
    }

    static ContentHash hash(byte[] content) {
        return ContentHash.ofBytes(content);
    }
}
