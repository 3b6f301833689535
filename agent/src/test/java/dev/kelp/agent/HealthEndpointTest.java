package dev.kelp.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.client.HttpClient;
import io.micronaut.http.client.annotation.Client;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.util.Map;
import org.junit.jupiter.api.Test;

@MicronautTest
class HealthEndpointTest {

    @Inject
    @Client("/")
    HttpClient client;

    @Inject
    EmbeddedServer server;

    @Test
    void agentIsLiveAndReadyOnItsEmbeddedDefault() {
        assertThat(client.toBlocking().retrieve(HttpRequest.GET("/health/liveness"), Map.class))
            .containsEntry("status", "UP");
        assertThat(client.toBlocking().retrieve(HttpRequest.GET("/health/readiness"), Map.class))
            .containsEntry("status", "UP");
    }

    @Test
    void agentListensOnLoopbackOnly() {
        assertThat(server.getHost()).isIn("127.0.0.1", "localhost");
    }
}
