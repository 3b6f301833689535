package dev.kelp.agent.blob.remote;

import java.net.URI;
import java.time.Duration;

/** {@link SeaweedFsConfig} with the shipped defaults, for tests that build the store by hand. */
final class TestConfigs {

    private TestConfigs() {
    }

    static SeaweedFsConfig defaults(String endpoint, String accessKey, String secretKey) {
        return new SeaweedFsConfig(URI.create(endpoint), "us-east-1", accessKey, secretKey,
            Duration.ofMillis(500), Duration.ofSeconds(5), Duration.ofSeconds(2), 8, 2, Duration.ofMillis(50),
            Duration.ofMillis(500), Duration.ofSeconds(10), Duration.ofSeconds(1),
            new SeaweedFsConfig.Breaker(50f, 10, 3, Duration.ofSeconds(2), 2, 3));
    }
}
