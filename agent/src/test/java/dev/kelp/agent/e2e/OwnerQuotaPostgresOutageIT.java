package dev.kelp.agent.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.testkit.ProvingGround;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A per-owner quota through a SeaweedFS and then a PostgreSQL outage, on the packaged agent
 * against the proving ground's real PostgreSQL and SeaweedFS: alice may hold 30 objects; she
 * writes 10 (FULL), SeaweedFS is killed and she writes 5 more (FALLBACK), PostgreSQL is killed
 * too and she goes on writing (LOCAL_ONLY) until she is refused (507, naming her and the limit)
 * exactly at her 31st object, while bob, who has no quota, keeps writing and still cannot see
 * her objects. Once both are back the journal replays and the fallback volume drains: every
 * acknowledged object reads back and is in PostgreSQL with its owner, owner_usage says 30 for
 * alice, and her quota still holds.
 */
class OwnerQuotaPostgresOutageIT {

    private static final String BUCKET = "owners-" + Long.toString(System.currentTimeMillis(), 36);
    private static final String ALICE = "alice-token-0123456789";
    private static final String BOB = "bob-token-0123456789ab";
    private static final int ALICE_MAX = 30;
    private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ProvingGround.Service postgres = ProvingGround.service("postgres");
    private static final ProvingGround.Service seaweedfs = ProvingGround.service("seaweedfs");
    private static final java.util.regex.Pattern PENDING = java.util.regex.Pattern.compile("\"pending\":\\{\"objects\":(\\d+),");
    private static AgentProcess agent;

    @BeforeAll
    static void startAgent() throws Exception {
        postgres.start();
        seaweedfs.start();
        Path work = Files.createTempDirectory("kelp-owners-it");
        Path principals = work.resolve("principals.yaml");
        Files.writeString(principals, """
            owners:
              - name: alice
                tokens: [%s]
                quota: {maxObjects: %d}
              - name: bob
                tokens: [%s]
            """.formatted(ALICE, ALICE_MAX, BOB));
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
              access:
                principals-file: %s
                sharing: private
              s3:
                enabled: false
            """.formatted(BUCKET, work.resolve("fallback"),
            ProvingGround.require("KELP_S3_ENDPOINT"), ProvingGround.require("KELP_S3_REGION"),
            ProvingGround.require("KELP_S3_ACCESS_KEY"), ProvingGround.require("KELP_S3_SECRET_KEY"),
            ProvingGround.require("KELP_PG_URL"), ProvingGround.require("KELP_PG_USER"), ProvingGround.require("KELP_PG_PASSWORD"),
            principals);
        agent = AgentProcess.start(work, config);
    }

    @AfterAll
    static void stopAgent() throws Exception {
        postgres.start();
        seaweedfs.start();
        if (agent != null) {
            agent.close();
        }
    }

    @Test
    void thePerOwnerQuotaHoldsThroughAPostgresOutageAndNothingAcknowledgedIsLost() throws Exception {
        Map<String, String> acknowledged = new LinkedHashMap<>();
        for (int i = 0; i < 10; i++) {
            assertThat(put(ALICE, "alice/" + i, "alice " + i).statusCode()).isEqualTo(201);
            acknowledged.put("alice/" + i, "alice " + i);
        }
        assertThat(mode()).contains("\"mode\":\"FULL\"");

        seaweedfs.kill();
        for (int i = 10; i < 15; i++) {
            assertThat(put(ALICE, "alice/" + i, "alice " + i).statusCode()).isEqualTo(201);
            acknowledged.put("alice/" + i, "alice " + i);
        }
        // Writes are what tell the agent SeaweedFS is gone (its breaker opens after failed calls).
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        do {
            assertThat(put(BOB, "bob/fallback", "bob in fallback").statusCode()).isEqualTo(201);
            acknowledged.put("bob/fallback", "bob in fallback");
            Thread.sleep(100);
        } while (!mode().contains("\"mode\":\"FALLBACK\"") && System.nanoTime() < deadline);
        assertThat(mode()).contains("\"mode\":\"FALLBACK\"");

        postgres.kill();
        HttpResponse<String> refused = null;
        int i = 15;
        for (; i < ALICE_MAX + 10 && refused == null; i++) {
            var response = put(ALICE, "alice/" + i, "alice " + i);
            if (response.statusCode() == 201) {
                acknowledged.put("alice/" + i, "alice " + i);
            } else {
                refused = response;
            }
            if (i % 4 == 0) {
                // bob has no quota: his writes go on, and his are his.
                assertThat(put(BOB, "bob/" + i, "bob " + i).statusCode()).isEqualTo(201);
                acknowledged.put("bob/" + i, "bob " + i);
            }
        }
        assertThat(mode()).contains("\"mode\":\"LOCAL_ONLY\"");
        assertThat(refused).as("alice's write past her quota during the outage").isNotNull();
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(507);
        assertThat(refused.body()).contains("QuotaExceeded").contains("owner alice").contains("limit of " + ALICE_MAX + " objects");
        assertThat(acknowledged.keySet().stream().filter(k -> k.startsWith("alice/"))).hasSize(ALICE_MAX);
        String refusedKey = "alice/" + (i - 1);
        assertThat(get(ALICE, refusedKey).statusCode()).as("the refused write stored nothing").isIn(404, 503);
        // With both down bob still cannot read what alice wrote (her own last-known record says whose
        // it is), while she reads it from the fallback volume.
        assertThat(get(BOB, "alice/12").statusCode()).isEqualTo(404);
        assertThat(get(ALICE, "alice/12").body()).isEqualTo("alice 12");
        assertThat(get(BOB, "alice/20").statusCode()).isEqualTo(404);
        assertThat(get(ALICE, "alice/20").body()).isEqualTo("alice 20");

        postgres.start();
        seaweedfs.start();
        long started = System.nanoTime();
        while (!(mode().contains("\"mode\":\"FULL\"") && pending() == 0) && System.nanoTime() - started < Duration.ofMinutes(2).toNanos()) {
            Thread.sleep(250);
        }
        assertThat(mode()).contains("\"mode\":\"FULL\"");
        assertThat(pending()).as("the fallback volume drained").isZero();
        System.out.printf("owner quota IT: %d writes acknowledged; journal replayed and fallback drained %d ms after both were back%n",
            acknowledged.size(), Duration.ofNanos(System.nanoTime() - started).toMillis());

        Map<String, String> owners = ownersInPostgres();
        for (var e : acknowledged.entrySet()) {
            String owner = e.getKey().startsWith("alice/") ? "alice" : "bob";
            assertThat(owners).as("%s in PostgreSQL", e.getKey()).containsEntry(e.getKey(), owner);
            var got = get(owner.equals("alice") ? ALICE : BOB, e.getKey());
            assertThat(got.statusCode()).isEqualTo(200);
            assertThat(got.body()).isEqualTo(e.getValue());
        }
        assertThat(owners).doesNotContainKey(refusedKey);
        assertThat(ownerUsage("alice")).isEqualTo(ALICE_MAX);
        var stillRefused = put(ALICE, "alice/after", "after");
        assertThat(stillRefused.statusCode()).as(stillRefused.body()).isEqualTo(507);
        assertThat(put(BOB, "bob/after", "after").statusCode()).isEqualTo(201);
    }

    private static HttpResponse<String> put(String token, String key, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(key)).header("Authorization", "Bearer " + token).header("Content-Type", "text/plain")
            .PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String token, String key) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(key)).header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String mode() throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(agent.baseUrl() + "/v1/mode")).header("Authorization", "Bearer " + BOB).build(),
            HttpResponse.BodyHandlers.ofString()).body();
    }

    private static long pending() throws Exception {
        var m = PENDING.matcher(mode());
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    private static URI uri(String key) {
        return URI.create(agent.baseUrl() + "/v1/objects/" + BUCKET + "/" + key);
    }

    private static Connection connect() throws java.sql.SQLException {
        return DriverManager.getConnection(ProvingGround.require("KELP_PG_URL"), ProvingGround.require("KELP_PG_USER"),
            ProvingGround.require("KELP_PG_PASSWORD"));
    }

    /** key → owner of its current version. */
    private static Map<String, String> ownersInPostgres() throws Exception {
        try (Connection c = connect(); var st = c.prepareStatement(
            "SELECT o.object_key, v.owner FROM objects o JOIN object_versions v ON v.id = o.version_id WHERE o.bucket = ?")) {
            st.setString(1, BUCKET);
            Map<String, String> rows = new HashMap<>();
            try (var rs = st.executeQuery()) {
                while (rs.next()) {
                    rows.put(rs.getString(1), rs.getString(2));
                }
            }
            return rows;
        }
    }

    private static long ownerUsage(String owner) throws Exception {
        try (Connection c = connect(); var st = c.prepareStatement("SELECT SUM(objects) FROM owner_usage WHERE bucket = ? AND owner = ?")) {
            st.setString(1, BUCKET);
            st.setString(2, owner);
            try (var rs = st.executeQuery()) {
                return rs.next() ? rs.getLong(1) : -1;
            }
        }
    }
}
