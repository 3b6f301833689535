package dev.kelp.agent.blob.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kelp.agent.events.EventSink;
import io.micronaut.context.ApplicationContext;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SeaweedFsConfigTest {

    // With an endpoint the health probe starts with the context; it needs an event sink. Every
    // endpoint here is a closed loopback port, so the probe's calls fail at once and go nowhere.
    private static ApplicationContext context(Map<String, Object> properties) {
        var ctx = ApplicationContext.builder().properties(properties).deduceEnvironment(false).build();
        ctx.registerSingleton(EventSink.class, event -> { });
        return ctx.start();
    }

    @Test
    void withoutAnEndpointThereIsNoSeaweedFsConfiguration() {
        try (var ctx = context(Map.of("kelp.seaweedfs.region", "eu-west-1"))) {
            assertThat(ctx.findBean(SeaweedFsConfig.class)).isEmpty();
        }
    }

    @Test
    void anEndpointAloneGetsTheDefaults() {
        try (var ctx = context(Map.of("kelp.seaweedfs.endpoint", "http://127.0.0.1:1"))) {
            var config = ctx.getBean(SeaweedFsConfig.class);

            assertThat(config.endpoint()).isEqualTo(URI.create("http://127.0.0.1:1"));
            assertThat(config.region()).isEqualTo("us-east-1");
            assertThat(config.accessKey()).isNull();
            assertThat(config.secretKey()).isNull();
            assertThat(config.connectTimeout()).isEqualTo(Duration.ofMillis(500));
            assertThat(config.readTimeout()).isEqualTo(Duration.ofSeconds(5));
            assertThat(config.attemptTimeoutBase()).isEqualTo(Duration.ofSeconds(2));
            assertThat(config.minThroughputMibPerSecond()).isEqualTo(8);
            assertThat(config.retryAttempts()).isEqualTo(2);
            assertThat(config.retryInitialBackoff()).isEqualTo(Duration.ofMillis(50));
            assertThat(config.probeInterval()).isEqualTo(Duration.ofMillis(500));
            assertThat(config.slowProbeInterval()).isEqualTo(Duration.ofSeconds(10));
            assertThat(config.probeTimeout()).isEqualTo(Duration.ofSeconds(1));
            assertThat(config.breaker().failureRateThreshold()).isEqualTo(50f);
            assertThat(config.breaker().slidingWindowSize()).isEqualTo(10);
            assertThat(config.breaker().minimumNumberOfCalls()).isEqualTo(3);
            assertThat(config.breaker().waitInOpenState()).isEqualTo(Duration.ofSeconds(2));
            assertThat(config.breaker().permittedCallsInHalfOpen()).isEqualTo(2);
            assertThat(config.breaker().consecutiveFailures()).isEqualTo(3);
        }
    }

    @Test
    void everyPropertyBinds() {
        Map<String, Object> properties = Map.ofEntries(
            Map.entry("kelp.seaweedfs.endpoint", "http://127.0.0.1:2"),
            Map.entry("kelp.seaweedfs.region", "eu-central-1"),
            Map.entry("kelp.seaweedfs.access-key", "ak"),
            Map.entry("kelp.seaweedfs.secret-key", "sk"),
            Map.entry("kelp.seaweedfs.connect-timeout", "250ms"),
            Map.entry("kelp.seaweedfs.read-timeout", "7s"),
            Map.entry("kelp.seaweedfs.attempt-timeout-base", "1s"),
            Map.entry("kelp.seaweedfs.min-throughput-mib-per-second", "32"),
            Map.entry("kelp.seaweedfs.retry-attempts", "3"),
            Map.entry("kelp.seaweedfs.retry-initial-backoff", "20ms"),
            Map.entry("kelp.seaweedfs.probe-interval", "1s"),
            Map.entry("kelp.seaweedfs.slow-probe-interval", "30s"),
            Map.entry("kelp.seaweedfs.probe-timeout", "300ms"),
            Map.entry("kelp.seaweedfs.breaker.failure-rate-threshold", "75"),
            Map.entry("kelp.seaweedfs.breaker.sliding-window-size", "20"),
            Map.entry("kelp.seaweedfs.breaker.minimum-number-of-calls", "5"),
            Map.entry("kelp.seaweedfs.breaker.wait-in-open-state", "3s"),
            Map.entry("kelp.seaweedfs.breaker.permitted-calls-in-half-open", "4"),
            Map.entry("kelp.seaweedfs.breaker.consecutive-failures", "6"));
        try (var ctx = context(properties)) {
            var config = ctx.getBean(SeaweedFsConfig.class);

            assertThat(config.endpoint()).isEqualTo(URI.create("http://127.0.0.1:2"));
            assertThat(config.region()).isEqualTo("eu-central-1");
            assertThat(config.accessKey()).isEqualTo("ak");
            assertThat(config.secretKey()).isEqualTo("sk");
            assertThat(config.connectTimeout()).isEqualTo(Duration.ofMillis(250));
            assertThat(config.readTimeout()).isEqualTo(Duration.ofSeconds(7));
            assertThat(config.attemptTimeoutBase()).isEqualTo(Duration.ofSeconds(1));
            assertThat(config.minThroughputMibPerSecond()).isEqualTo(32);
            assertThat(config.retryAttempts()).isEqualTo(3);
            assertThat(config.retryInitialBackoff()).isEqualTo(Duration.ofMillis(20));
            assertThat(config.probeInterval()).isEqualTo(Duration.ofSeconds(1));
            assertThat(config.slowProbeInterval()).isEqualTo(Duration.ofSeconds(30));
            assertThat(config.probeTimeout()).isEqualTo(Duration.ofMillis(300));
            assertThat(config.breaker()).isEqualTo(new SeaweedFsConfig.Breaker(75f, 20, 5, Duration.ofSeconds(3), 4, 6));
        }
    }

    @Test
    void theSecretNeverShowsInToString() {
        try (var ctx = context(Map.of("kelp.seaweedfs.endpoint", "http://127.0.0.1:1", "kelp.seaweedfs.secret-key", "hunter2"))) {
            assertThat(ctx.getBean(SeaweedFsConfig.class).toString()).doesNotContain("hunter2").contains("***");
        }
    }

    @Test
    void anInvalidThresholdIsRefusedAtStartup() {
        assertThatThrownBy(() -> context(Map.of("kelp.seaweedfs.endpoint", "http://127.0.0.1:1", "kelp.seaweedfs.retry-attempts", "0")))
            .hasMessageContaining("retryAttempts");
    }
}
