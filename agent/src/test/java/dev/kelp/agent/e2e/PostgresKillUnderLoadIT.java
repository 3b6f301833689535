package dev.kelp.agent.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.agent.object.ContentHash;
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
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * kill -9 PostgreSQL under the packaged agent while 8 clients write 2,000 objects: no write
 * fails (the agent goes LOCAL_ONLY and journals metadata on the fallback volume), everything
 * written during the outage reads back, and once PostgreSQL is back every object is in it
 * exactly once with the right content hash, checked with SQL rather than through the agent.
 */
class PostgresKillUnderLoadIT {

    private static final int OBJECTS = 2_000;
    private static final int CLIENTS = 8;
    private static final int KILL_AFTER = 500;
    private static final String BUCKET = "pgkill-" + Long.toString(System.currentTimeMillis(), 36);
    private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ProvingGround.Service postgres = ProvingGround.service("postgres");
    private static AgentProcess agent;

    @BeforeAll
    static void startAgent() throws Exception {
        postgres.start();
        Path work = Files.createTempDirectory("kelp-pgkill-it");
        agent = AgentProcess.start(work, ProvingGroundConfig.render(work.resolve("fallback"), List.of(BUCKET)));
    }

    @AfterAll
    static void stopAgent() throws Exception {
        postgres.start();
        if (agent != null) {
            agent.close();
        }
    }

    @Test
    void noWriteFailsAndEveryObjectLandsInPostgresExactlyOnce() throws Exception {
        Map<Integer, ContentHash> acknowledged = new ConcurrentHashMap<>();
        Map<Integer, String> failures = new ConcurrentHashMap<>();
        Set<Integer> writtenAfterKill = ConcurrentHashMap.newKeySet();
        AtomicInteger next = new AtomicInteger();
        AtomicBoolean killed = new AtomicBoolean();
        AtomicBoolean killDone = new AtomicBoolean();
        AtomicBoolean sawLocalOnly = new AtomicBoolean();

        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        for (int c = 0; c < CLIENTS; c++) {
            clients.submit(() -> {
                for (int i = next.getAndIncrement(); i < OBJECTS; i = next.getAndIncrement()) {
                    byte[] body = Workload.body(i);
                    boolean afterKill = killDone.get();
                    try {
                        var response = http.send(HttpRequest.newBuilder(uri(Workload.key(i))).header("Content-Type", "application/octet-stream")
                            .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
                        if (response.statusCode() == 201) {
                            acknowledged.put(i, ContentHash.ofBytes(body));
                            if (afterKill) {
                                writtenAfterKill.add(i);
                            }
                        } else {
                            failures.put(i, response.statusCode() + " " + response.body());
                        }
                    } catch (Exception e) {
                        failures.put(i, e.toString());
                    }
                    if (acknowledged.size() >= KILL_AFTER && killed.compareAndSet(false, true)) {
                        postgres.kill();
                        killDone.set(true);
                    }
                    if (killDone.get() && i % 50 == 0 && mode().contains("\"mode\":\"LOCAL_ONLY\"")) {
                        sawLocalOnly.set(true);
                    }
                }
                return null;
            });
        }
        clients.shutdown();
        assertThat(clients.awaitTermination(10, TimeUnit.MINUTES)).isTrue();

        assertThat(failures).as("failed requests").isEmpty();
        assertThat(acknowledged).hasSize(OBJECTS);
        assertThat(sawLocalOnly).as("LOCAL_ONLY while PostgreSQL was down").isTrue();
        assertThat(postgres.healthy()).as("PostgreSQL stays down until we start it").isFalse();
        var readiness = http.send(HttpRequest.newBuilder(URI.create(agent.baseUrl() + "/health/readiness")).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(readiness.statusCode()).as("the pod stays ready in LOCAL_ONLY: " + readiness.body()).isEqualTo(200);
        var conditional = http.send(HttpRequest.newBuilder(uri("conditional")).header("If-None-Match", "*")
            .PUT(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(conditional.statusCode()).as("a conditional write cannot be judged without PostgreSQL").isEqualTo(503);
        // Read-your-writes across the transition: what this agent wrote before the kill too,
        // from its last-known records, not only what it journaled after.
        for (int i : acknowledged.keySet()) {
            var got = http.send(HttpRequest.newBuilder(uri(Workload.key(i))).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(got.statusCode()).as("GET %s during the outage (written %s the kill)", Workload.key(i),
                writtenAfterKill.contains(i) ? "after" : "before").isEqualTo(200);
            assertThat(ContentHash.ofBytes(got.body())).isEqualTo(acknowledged.get(i));
        }
        var unknown = http.send(HttpRequest.newBuilder(uri("never/written")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(unknown.statusCode()).as("a key only PostgreSQL could know about: %s", unknown.body()).isEqualTo(503);
        assertThat(unknown.headers().firstValue("Retry-After")).isPresent();

        postgres.start();
        long started = System.nanoTime();
        Map<String, String> rows = Map.of();
        while (System.nanoTime() - started < Duration.ofMinutes(2).toNanos()) {
            rows = rowsInPostgres();
            if (rows.size() == OBJECTS && mode().contains("\"mode\":\"FULL\"")) {
                break;
            }
            Thread.sleep(500);
        }
        System.out.printf("postgres kill IT: %d writes during the outage; journal replayed into PostgreSQL %d ms after it started%n",
            writtenAfterKill.size(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        assertThat(rows).hasSize(OBJECTS);
        for (int i = 0; i < OBJECTS; i++) {
            assertThat(rows).containsEntry(Workload.key(i), acknowledged.get(i).hex());
        }
        assertThat(mode()).contains("\"mode\":\"FULL\"");
    }

    /** key → hash of the current version, failing if any key has two current rows. */
    private static Map<String, String> rowsInPostgres() {
        try (Connection c = DriverManager.getConnection(ProvingGround.require("KELP_PG_URL"), ProvingGround.require("KELP_PG_USER"),
                ProvingGround.require("KELP_PG_PASSWORD"));
             var st = c.prepareStatement("SELECT o.object_key, v.hash FROM objects o JOIN object_versions v ON v.id = o.version_id WHERE o.bucket = ?")) {
            st.setString(1, BUCKET);
            Map<String, String> rows = new HashMap<>();
            try (var rs = st.executeQuery()) {
                while (rs.next()) {
                    assertThat(rows.put(rs.getString(1), rs.getString(2))).as("%s exactly once", rs.getString(1)).isNull();
                }
            }
            return rows;
        } catch (java.sql.SQLException notYet) {
            return Map.of();
        }
    }

    private static URI uri(String key) {
        return URI.create(agent.baseUrl() + "/v1/objects/" + BUCKET + "/" + key);
    }

    private static String mode() {
        return agent.mode();
    }
}
