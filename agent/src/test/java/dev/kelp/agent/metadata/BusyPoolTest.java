package dev.kelp.agent.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.agent.object.ContentHash;
import dev.kelp.agent.object.ObjectRecord;
import io.micronaut.context.ApplicationContext;
import io.micronaut.jdbc.DataSourceResolver;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every connection of the pool is held by the agent's own work for longer than a caller waits
 * for one: a write waits its turn and succeeds, instead of taking the busy pool for an outage.
 */
class BusyPoolTest {

    @TempDir
    Path dir;

    @Test
    void aWriteWaitsForABusyPoolInsteadOfCallingTheDatabaseDown() throws Exception {
        try (var context = ApplicationContext.run(Map.of(
            "kelp.fallback.dir", dir.toString(),
            "datasources.default.maximum-pool-size", 2,   // Flyway needs two
            "datasources.default.minimum-idle", 2,
            "datasources.default.connection-timeout", 250), "test")) {
            var store = context.getBean(JdbcMetadataStore.class);
            store.ping();
            DataSource pool = context.getBean(DataSourceResolver.class).resolve(context.getBean(DataSource.class));
            var held = new CountDownLatch(1);
            var holder = CompletableFuture.runAsync(() -> {
                try (Connection one = pool.getConnection(); Connection two = pool.getConnection()) {
                    held.countDown();
                    Thread.sleep(600);   // over two connection timeouts
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThat(held.await(5, TimeUnit.SECONDS)).isTrue();

            long started = System.nanoTime();
            var stored = store.put(new ObjectRecord("busy-pool", "k", 0, ContentHash.ofBytes(new byte[] {1}), 1, "text/plain", Map.of(), Instant.now()));

            assertThat(stored.stored().key()).isEqualTo("k");
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).as("it waited for the connection").isGreaterThanOrEqualTo(250);
            holder.join();
        }
    }
}
