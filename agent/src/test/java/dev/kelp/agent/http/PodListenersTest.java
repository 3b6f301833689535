package dev.kelp.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.testkit.FreePorts;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The listener layout of an agent in a pod ({@code kelp.agent.health-port}, docs/agent-config.md):
 * the object API on loopback only, health and metrics on every interface and nowhere else.
 */
class PodListenersTest {

    @TempDir
    static Path dir;
    static EmbeddedServer server;
    static int apiPort;
    static int healthPort;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws IOException {
        apiPort = FreePorts.take();
        healthPort = FreePorts.take();
        // As the injected sidecar starts it: KELP_AGENT_PORT and KELP_AGENT_HEALTH_PORT.
        server = ApplicationContext.run(EmbeddedServer.class, Map.of(
            "micronaut.server.port", apiPort,
            "kelp.agent.health-port", healthPort,
            "kelp.fallback.dir", dir.toString()));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void objectApiAnswersOnLoopbackOnly() throws Exception {
        assertThat(status("127.0.0.1", apiPort, "/v1/mode")).isEqualTo(200);
        assertThat(status("127.0.0.1", healthPort, "/v1/mode")).as("no API on the health listener").isEqualTo(404);
        nonLoopbackAddress().ifPresent(ip ->
            assertThat(refused(ip, apiPort)).as("the API port is not bound on %s", ip).isTrue());
    }

    @Test
    void healthAndMetricsAnswerOnTheHealthListenerOnly() throws Exception {
        assertThat(status("127.0.0.1", healthPort, "/health/readiness")).isEqualTo(200);
        assertThat(status("127.0.0.1", healthPort, "/health/liveness")).isEqualTo(200);
        assertThat(status("127.0.0.1", healthPort, "/prometheus")).isEqualTo(200);
        assertThat(status("127.0.0.1", apiPort, "/health/readiness")).as("management stays off the API port").isEqualTo(404);
        nonLoopbackAddress().ifPresent(ip -> {
            try {
                assertThat(status(ip, healthPort, "/health/readiness")).as("probe on the pod IP %s", ip).isEqualTo(200);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
    }

    private static int status(String host, int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + path)).build(), BodyHandlers.discarding())
            .statusCode();
    }

    private static boolean refused(String host, int port) {
        try (var socket = new java.net.Socket(host, port)) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    /** An address of this machine other than loopback, as a pod IP would be; absent on a machine without one. */
    private static Optional<String> nonLoopbackAddress() {
        try {
            return Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
                .flatMap(i -> Collections.list(i.getInetAddresses()).stream())
                .filter(a -> !a.isLoopbackAddress() && a instanceof java.net.Inet4Address)
                .map(InetAddress::getHostAddress).findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
