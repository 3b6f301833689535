package dev.kelp.agent.multipart;

import io.micronaut.context.annotation.Context;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reclaims the parts of uploads nobody finished: a client that died for good would otherwise
 * hold fallback-volume room forever. Runs every {@code kelp.multipart.sweep-interval}, and once
 * at start, so uploads that expired while the agent was down go at once.
 */
@Context
public class ExpiredUploadSweeper {

    private static final Logger LOG = LoggerFactory.getLogger(ExpiredUploadSweeper.class);

    private final MultipartService uploads;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
        Thread.ofPlatform().name("kelp-upload-sweep").daemon().factory());

    ExpiredUploadSweeper(MultipartService uploads) {
        this.uploads = uploads;
    }

    @PostConstruct
    void start() {
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
