package dev.kelp.agent.multipart;

import io.micronaut.runtime.event.annotation.EventListener;
import io.micronaut.runtime.server.event.ServerStartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reclaims the parts of uploads nobody finished: a client that died for good would otherwise
 * hold fallback-volume room forever. Runs every {@code kelp.multipart.sweep-interval} from the
 * moment the server is up, first at once, so uploads that expired while the agent was down go
 * then. Started by the server rather than by the context, so that a context without a server
 * (a configuration check, a test of one bean) does not open the whole engine.
 */
@Singleton
public class ExpiredUploadSweeper {

    private static final Logger LOG = LoggerFactory.getLogger(ExpiredUploadSweeper.class);

    private final MultipartService uploads;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
        Thread.ofPlatform().name("kelp-upload-sweep").daemon().factory());

    ExpiredUploadSweeper(MultipartService uploads) {
        this.uploads = uploads;
    }

    @EventListener
    void start(ServerStartupEvent started) {
        long every = uploads.config().sweepInterval().toMillis();
        scheduler.scheduleWithFixedDelay(this::sweepSafely, 0, every, TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    void stop() throws InterruptedException {
        scheduler.shutdown();
        // A sweep cut short is harmless: an upload is gone once its manifest is, and the rest
        // of its files are removed at the next start.
        scheduler.awaitTermination(10, TimeUnit.SECONDS);
    }

    private void sweepSafely() {
        try {
            int reclaimed = uploads.reclaimExpired();
            if (reclaimed > 0) {
                LOG.info("Reclaimed {} multipart uploads older than {}", reclaimed, uploads.config().maxAge());
            }
        } catch (RuntimeException e) {
            LOG.warn("multipart upload sweep failed; it runs again in {}: {}", uploads.config().sweepInterval(), e.toString());
        }
    }
}
