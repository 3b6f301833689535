package dev.kelp.agent.blob.remote;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices that SeaweedFS came back (or went away, or stopped accepting our key) without waiting
 * for client traffic: while anything is wrong (breaker not closed, credentials refused, the last
 * call failed) it asks SeaweedFS every {@code probe-interval}
 * through the breaker, so the breaker closes and the mode returns to FULL by themselves. While
 * all is well it asks only every {@code slow-probe-interval}, to catch revoked credentials or an
 * outage on an idle agent, and costs SeaweedFS next to nothing.
 */
@Context
@Requires(property = "kelp.seaweedfs.endpoint")
class SeaweedFsHealthProbe {

    private static final Logger LOG = LoggerFactory.getLogger(SeaweedFsHealthProbe.class);

    private final SeaweedFsConfig config;
    private final SeaweedFsS3 s3;
    private final SeaweedFsGuard guard;
    private ScheduledExecutorService executor;
    private long nextSlowProbe;
    private boolean lastProbeHealthy;

    SeaweedFsHealthProbe(SeaweedFsConfig config, SeaweedFsS3 s3, SeaweedFsGuard guard) {
        this.config = config;
        this.s3 = s3;
        this.guard = guard;
    }

    @PostConstruct
    void start() {
        executor = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("kelp-seaweedfs-probe").factory());
        nextSlowProbe = System.nanoTime();
        executor.scheduleWithFixedDelay(this::tick, 0, config.probeInterval().toMillis(), TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    void stop() throws InterruptedException {
        executor.shutdownNow();
        if (!executor.awaitTermination(config.attemptTimeoutBase().toMillis() + 1000, TimeUnit.MILLISECONDS)) {
            LOG.warn("the SeaweedFS probe did not stop in time");
        }
    }

    /** Runs on the probe's own thread only, so its fields need no locking. */
    private void tick() {
        try {
            long now = System.nanoTime();
            boolean suspicious = guard.state() != CircuitBreaker.State.CLOSED || guard.credentialsRefused()
                || guard.lastCallFailed() || !lastProbeHealthy;
            if (!suspicious && now - nextSlowProbe < 0) {
                return;
            }
            nextSlowProbe = now + config.slowProbeInterval().toNanos();
            // A short timeout: ListBuckets answers in milliseconds, and on a hung server the probe's
            // failure is what opens the breaker while client calls still wait out theirs.
            lastProbeHealthy = guard.probe(() -> s3.client().listBuckets(b -> b.overrideConfiguration(o -> o
                .apiCallAttemptTimeout(config.probeTimeout()))));
        } catch (RuntimeException e) {
            // A scheduled task that throws is never run again: the probe must outlive any surprise.
            LOG.warn("SeaweedFS probe failed unexpectedly", e);
        }
    }
}
