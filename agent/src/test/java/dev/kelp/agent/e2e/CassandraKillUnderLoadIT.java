package dev.kelp.agent.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import dev.kelp.agent.object.ContentHash;
import dev.kelp.testkit.ProvingGround;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * kill -9 Cassandra under the packaged agent while 8 clients write 1,000 objects: no write
 * fails or waits on it (events spool on the fallback volume), and once Cassandra is back the
 * spool replays so that every object's SAVE event is in Cassandra exactly once, read with CQL
 * rather than through the agent.
 */
class CassandraKillUnderLoadIT {

    private static final int OBJECTS = 1_000;
    private static final int CLIENTS = 8;
    private static final int KILL_AFTER = 250;
    private static final String BUCKET = "cqlkill-" + Long.toString(System.currentTimeMillis(), 36);
    private static final String AGENT_ID = BUCKET + "-agent";
    private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ProvingGround.Service cassandra = ProvingGround.service("cassandra");
    private static AgentProcess agent;

    @BeforeAll
    static void startAgent() throws Exception {
        cassandra.start();
        Path work = Files.createTempDirectory("kelp-cqlkill-it");
        agent = AgentProcess.start(work, ProvingGroundConfig.render(work.resolve("fallback"), List.of(BUCKET))
            + "  agent:\n    id: " + AGENT_ID + "\n");
    }

    @AfterAll
    static void stopAgent() throws Exception {
        cassandra.start();
        if (agent != null) {
            agent.close();
        }
    }

    @Test
    void noWriteFailsOrWaitsAndEverySaveEventIsInCassandraExactlyOnce() throws Exception {
        Map<Integer, ContentHash> acknowledged = new ConcurrentHashMap<>();
        Map<Integer, String> failures = new ConcurrentHashMap<>();
        AtomicInteger next = new AtomicInteger();
        AtomicBoolean killed = new AtomicBoolean();
        AtomicLong slowestAfterKillMillis = new AtomicLong();

        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        for (int c = 0; c < CLIENTS; c++) {
            clients.submit(() -> {
                for (int i = next.getAndIncrement(); i < OBJECTS; i = next.getAndIncrement()) {
                    byte[] body = Workload.body(i);
                    boolean afterKill = killed.get();
                    long start = System.nanoTime();
                    try {
                        var response = http.send(HttpRequest.newBuilder(uri(Workload.key(i))).header("Content-Type", "application/octet-stream")
                            .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
                        if (response.statusCode() == 201) {
                            acknowledged.put(i, ContentHash.ofBytes(body));
                        } else {
                            failures.put(i, response.statusCode() + " " + response.body());
                        }
                    } catch (Exception e) {
                        failures.put(i, e.toString());
                    }
                    if (afterKill) {
                        slowestAfterKillMillis.accumulateAndGet(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), Math::max);
                    }
                    if (acknowledged.size() >= KILL_AFTER && killed.compareAndSet(false, true)) {
                        cassandra.kill();
                    }
                }
                return null;
            });
        }
        clients.shutdown();
        assertThat(clients.awaitTermination(10, TimeUnit.MINUTES)).isTrue();

        assertThat(failures).as("failed requests").isEmpty();
        assertThat(acknowledged).hasSize(OBJECTS);
        assertThat(agent.mode()).as("Cassandra never changes the storage mode").contains("\"mode\":\"FULL\"");
        assertThat(metric("kelp_events_spooled_total")).as("events went to the spool while Cassandra was down").isPositive();

        cassandra.start();
        long started = System.nanoTime();
        Map<String, Integer> saves = Map.of();
        while (System.nanoTime() - started < Duration.ofMinutes(3).toNanos()) {
            saves = saveEventsInCassandra();
            if (saves.size() == OBJECTS && metric("kelp_events_spool_bytes") == 0) {
                break;
            }
            Thread.sleep(1000);
        }
        System.out.printf("cassandra kill IT: slowest PUT after the kill %d ms; spool replayed %d ms after Cassandra started%n",
            slowestAfterKillMillis.get(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        for (int i = 0; i < OBJECTS; i++) {
            assertThat(saves.get(Workload.key(i))).as("SAVE events of %s in Cassandra", Workload.key(i)).isEqualTo(1);
        }
        assertThat(metric("kelp_events_spool_bytes")).as("spool empty after replay").isZero();
    }

    /** object key → number of SAVE rows for it in this agent's partition of today (and yesterday, across midnight). */
    private static Map<String, Integer> saveEventsInCassandra() {
        String[] point = ProvingGround.require("KELP_CASSANDRA_CONTACT_POINT").split(":");
        try (CqlSession cql = CqlSession.builder()
                .addContactPoint(new InetSocketAddress(point[0], Integer.parseInt(point[1])))
                .withLocalDatacenter(ProvingGround.require("KELP_CASSANDRA_DATACENTER")).build()) {
            var select = cql.prepare("SELECT type, bucket, object_key FROM kelp_events.events WHERE agent_id = ? AND day = ?");
            Map<String, Integer> saves = new HashMap<>();
            LocalDate today = LocalDate.now(ZoneOffset.UTC);
            for (LocalDate day : List.of(today.minusDays(1), today)) {
                for (Row row : cql.execute(select.bind(AGENT_ID, day.toString()))) {
                    if ("SAVE".equals(row.getString("type")) && BUCKET.equals(row.getString("bucket"))) {
                        saves.merge(row.getString("object_key"), 1, Integer::sum);
                    }
                }
            }
            return saves;
        } catch (RuntimeException notYet) {
            return Map.of();
        }
    }

    /** A counter or gauge from the agent's /prometheus, summed over its labels. */
    private static double metric(String name) throws Exception {
        String text = http.send(HttpRequest.newBuilder(URI.create(agent.baseUrl() + "/prometheus")).build(),
            HttpResponse.BodyHandlers.ofString()).body();
        return text.lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
            .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    private static URI uri(String key) {
        return URI.create(agent.baseUrl() + "/v1/objects/" + BUCKET + "/" + key);
    }
}
