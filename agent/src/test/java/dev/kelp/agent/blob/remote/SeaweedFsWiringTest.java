package dev.kelp.agent.blob.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kelp.agent.blob.BlobStore;
import dev.kelp.agent.events.EventSink;
import dev.kelp.agent.mode.Mode;
import dev.kelp.agent.mode.ModeMonitor;
import io.micronaut.context.ApplicationContext;
import io.micronaut.inject.qualifiers.Qualifiers;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SeaweedFsWiringTest {

    private static ApplicationContext start(Map<String, Object> properties) {
        var ctx = ApplicationContext.builder().properties(properties).deduceEnvironment(false).build();
        ctx.registerSingleton(EventSink.class, event -> { });
        return ctx.start();
    }

    @Test
    void withoutAnEndpointThereIsNoRemoteStoreNorProbe() {
        try (var ctx = start(Map.of())) {
            assertThat(ctx.findBean(BlobStore.class, Qualifiers.byName("remote"))).isEmpty();
            assertThat(ctx.findBean(SeaweedFsHealthProbe.class)).isEmpty();
            assertThat(ctx.getBean(ModeMonitor.class).current().mode()).isEqualTo(Mode.LOCAL_ONLY);
        }
    }

    @Test
    void withAnEndpointTheRemoteStoreIsWiredAndTheProbeNoticesADeadSeaweedFsWithoutTraffic() {
        // Port 1 on loopback: nothing listens, every connection is refused at once.
        try (var ctx = start(Map.of("kelp.seaweedfs.endpoint", "http://127.0.0.1:1",
                "kelp.seaweedfs.access-key", "a", "kelp.seaweedfs.secret-key", "s"))) {
            assertThat(ctx.getBean(BlobStore.class, Qualifiers.byName("remote"))).isInstanceOf(SeaweedFsBlobStore.class);
            var mode = ctx.getBean(ModeMonitor.class);

            await().atMost(Duration.ofSeconds(5)).until(() -> mode.current().mode() == Mode.FALLBACK);
            assertThat(mode.current().reasons()).singleElement().asString()
                .startsWith("seaweedfs: 3 of 3 calls failed: ");
        }
    }
}
