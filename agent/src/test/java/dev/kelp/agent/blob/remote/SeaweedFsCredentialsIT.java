package dev.kelp.agent.blob.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.kelp.agent.blob.BlobStoreUnavailableException;
import dev.kelp.agent.events.AgentEvent;
import dev.kelp.agent.mode.Mode;
import dev.kelp.agent.object.ContentHash;
import dev.kelp.testkit.ProvingGround;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SeaweedFS (the shared proving ground's) refuses credentials it does not know. */
class SeaweedFsCredentialsIT {

    @TempDir
    Path dir;

    private static RemoteStoreFixture storeWith(String accessKey, String secretKey) {
        return new RemoteStoreFixture(TestConfigs.defaults(ProvingGround.require("KELP_S3_ENDPOINT"), accessKey, secretKey));
    }

    @Test
    void aWrongSecretMakesPutsFailAndTheAgentLocalOnly() throws Exception {
        String accessKey = ProvingGround.require("KELP_S3_ACCESS_KEY");
        byte[] bytes = "refused".getBytes();
        Path file = Files.write(dir.resolve("blob"), bytes);
        try (var fixture = storeWith(accessKey, "not-the-secret")) {

            assertThatThrownBy(() -> fixture.store.put("it-credentials", ContentHash.ofBytes(bytes), file, bytes.length))
                .isInstanceOf(BlobStoreUnavailableException.class)
                .hasMessageContaining("refused the credentials of access key " + accessKey);

            assertThat(fixture.mode.current().mode()).isEqualTo(Mode.LOCAL_ONLY);
            await().atMost(Duration.ofSeconds(3)).untilAsserted(() -> assertThat(fixture.mode.current().reasons())
                .singleElement().asString()
                .isEqualTo("seaweedfs_credentials: access key " + accessKey + " refused: HTTP 403 SignatureDoesNotMatch"));
            assertThat(fixture.guard.state()).as("SeaweedFS answers: not an outage").isEqualTo(CircuitBreaker.State.CLOSED);
            assertThat(fixture.events).filteredOn(e -> e.type() == AgentEvent.Type.MODE_TRANSITION)
                .singleElement().satisfies(e -> assertThat(e.detail()).containsEntry("to", "LOCAL_ONLY"));
        }
    }

    @Test
    void anUnknownAccessKeyIsNoticedByTheProbeWithoutAnyTraffic() {
        try (var fixture = storeWith("nobody-" + System.nanoTime(), "whatever")) {

            await().atMost(Duration.ofSeconds(3)).until(() -> fixture.mode.current().mode() == Mode.LOCAL_ONLY);

            assertThat(fixture.mode.current().reasons()).singleElement().asString()
                .startsWith("seaweedfs_credentials: access key nobody-").endsWith("refused: HTTP 403 InvalidAccessKeyId");
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void theRightCredentialsKeepTheAgentFull() throws Exception {
        try (var fixture = storeWith(ProvingGround.require("KELP_S3_ACCESS_KEY"), ProvingGround.require("KELP_S3_SECRET_KEY"))) {
            // The probe's first look happens at once; give it the time a refusal would take to show.
            Thread.sleep(1000);

            assertThat(fixture.mode.current().mode()).isEqualTo(Mode.FULL);
            assertThat(fixture.guard.credentialsRefused()).isFalse();
        }
    }
}
