package dev.kelp.agent.versions;

import dev.kelp.agent.metadata.MetadataStore;
import dev.kelp.agent.metadata.MetadataUnavailableException;
import io.micronaut.runtime.event.annotation.EventListener;
import io.micronaut.runtime.server.event.ServerStartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes earlier versions past kelp.versioning.keep-for. A write prunes the key it touches; this
 * catches the keys nobody writes again. Runs every kelp.versioning.sweep-interval once the server
 * is up, in batches until nothing is due; only when keep-for is set. Several agents of a policy
 * may sweep the same database: each removal is its own transaction under the key's row lock, and
 * a version already removed is simply not found again.
 */
@Singleton
public class VersionSweeper {

    private static final Logger LOG = LoggerFactory.getLogger(VersionSweeper.class);
    private static final int BATCH = 500;
    /** Batches per sweep at most, so one sweep cannot hold the thread for ever; the rest waits a tick. */
    private static final int MAX_BATCHES = 100;

    private final MetadataStore metadata;
    private final VersioningConfig config;
    private final Clock clock = Clock.systemUTC();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
        Thread.ofPlatform().name("kelp-version-sweep").daemon().factory());

    VersionSweeper(MetadataStore metadata, VersioningConfig config) {
        this.metadata = metadata;
        this.config = config;
    }

    @EventListener
    void start(ServerStartupEvent started) {
        if (!config.keepsVersions() || config.keepFor() == null) {
            return;
        }
        long every = config.sweepInterval().toMillis();
        scheduler.scheduleWithFixedDelay(this::sweepSafely, every, every, TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    void stop() throws InterruptedException {
        scheduler.shutdownNow();
        scheduler.awaitTermination(10, TimeUnit.SECONDS);
    }

    /** Removes every version due now, batch by batch; how many went. */
    public int sweep() {
        int total = 0;
        for (int batch = 0; batch < MAX_BATCHES; batch++) {
            int removed = metadata.sweepExpired(clock.instant(), BATCH);
            total += removed;
            if (removed == 0) {
                break;
            }
        }
        return total;
    }

    private void sweepSafely() {
        try {
            int removed = sweep();
            if (removed > 0) {
                LOG.info("removed {} earlier version(s) kept longer than {}", removed, config.keepFor());
            }
        } catch (MetadataUnavailableException e) {
            // LOCAL_ONLY: nothing is due that cannot wait for the database.
        } catch (RuntimeException e) {
            LOG.warn("version sweep failed; it runs again in {}: {}", config.sweepInterval(), e.toString());
        }
    }
}
