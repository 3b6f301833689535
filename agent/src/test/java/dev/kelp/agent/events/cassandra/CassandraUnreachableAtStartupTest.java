package dev.kelp.agent.events.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kelp.agent.events.AgentEvent;
import dev.kelp.agent.events.EventSink;
import dev.kelp.testkit.FreePorts;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cassandra configured but not there (a closed port): the agent starts at once, serves
 * writes, reports "events: spooling" in its health, and keeps the events in the spool.
 */
class CassandraUnreachableAtStartupTest {

    @TempDir
    Path dir;

    @Test
    void theAgentStartsAndServesWritesWhileItsEventsWaitInTheSpool() throws Exception {
        int closedPort = FreePorts.take();
        long started = System.nanoTime();
        try (EmbeddedServer server = ApplicationContext.run(EmbeddedServer.class, Map.of(
            "micronaut.server.port", -1,
            "kelp.fallback.dir", dir.toString(),
            "kelp.agent.id", "unreachable-test",
            "kelp.events.cassandra.contact-points", List.of("127.0.0.1:" + closedPort),
            "kelp.events.cassandra.local-datacenter", "datacenter1",
            "kelp.events.cassandra.flush-interval", "50ms"))) {
            long startupMillis = (System.nanoTime() - started) / 1_000_000;
            var sink = server.getApplicationContext().getBean(EventSink.class);
            assertThat(sink).isInstanceOf(CassandraEventSink.class);
            var cassandra = (CassandraEventSink) sink;

            var http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + server.getPort();
            long putStarted = System.nanoTime();
            var put = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/objects/default/notes/a.txt"))
                .header("Content-Type", "text/plain").PUT(HttpRequest.BodyPublishers.ofString("hello")).build(), BodyHandlers.ofString());
            long putMillis = (System.nanoTime() - putStarted) / 1_000_000;
            assertThat(put.statusCode()).isEqualTo(201);
            var get = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/objects/default/notes/a.txt")).build(), BodyHandlers.ofString());
            assertThat(get.body()).isEqualTo("hello");

            await().atMost(Duration.ofSeconds(20)).until(() -> cassandra.queued() == 0 && cassandra.spool().bytes() > 0);
            List<AgentEvent> spooled = SpooledFiles.events(dir.resolve("events-spool"));
            assertThat(spooled).extracting(AgentEvent::type).contains(AgentEvent.Type.SAVE, AgentEvent.Type.LOAD);
            assertThat(spooled).filteredOn(e -> e.type() == AgentEvent.Type.SAVE).extracting(AgentEvent::key).containsExactly("notes/a.txt");

            var health = http.send(HttpRequest.newBuilder(URI.create(base + "/health")).build(), BodyHandlers.ofString());
            assertThat(health.statusCode()).as("Cassandra down is not the pod's health").isEqualTo(200);
            assertThat(health.body()).contains("\"events\"").contains("\"state\":\"spooling\"").contains("cannot connect to Cassandra");
            var mode = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/mode")).build(), BodyHandlers.ofString());
            assertThat(mode.body()).as("nor does it change the mode").doesNotContain("cassandra");
            System.out.printf("Cassandra unreachable: agent started in %d ms, first PUT took %d ms%n", startupMillis, putMillis);
        }
    }
}
