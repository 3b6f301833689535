package dev.kelp.agent.tiering;

import dev.kelp.agent.metadata.MetadataUnavailableException;
import dev.kelp.agent.metadata.TierMetadata;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When objects were last read, for the tier rules: a read only updates {@link AccessLog} in
 * memory; a thread of its own writes the batch to the metadata database every
 * {@code kelp.tiering.access-flush-interval} (one batched UPDATE), or sooner when the batch
 * reaches {@code access-max-pending} objects. With no tier rule nothing is recorded at all.
 * While the database is down the batch waits in memory for the next flush.
 */
@Singleton
public class AccessTracker {

    private static final Logger LOG = LoggerFactory.getLogger(AccessTracker.class);

    private final boolean enabled;
    private final AccessLog log;
    private final TierMetadata metadata;
    private final Clock clock = Clock.systemUTC();
    private final AtomicBoolean earlyFlushQueued = new AtomicBoolean();
    private final Counter flushed;
    private final ScheduledExecutorService flusher = Executors.newSingleThreadScheduledExecutor(
        Thread.ofPlatform().name("kelp-access-flush").daemon().factory());

    AccessTracker(TieringConfig config, TierRules rules, TierMetadata metadata, MeterRegistry meters) {
        this.enabled = !rules.all().isEmpty();
        this.log = new AccessLog(config.accessMaxPending());
        this.metadata = metadata;
        this.flushed = meters.counter("kelp.tiering.access.flushed");
        if (enabled) {
            long every = config.accessFlushInterval().toMillis();
            flusher.scheduleWithFixedDelay(this::flushSafely, every, every, TimeUnit.MILLISECONDS);
        }
    }

    /** Notes a read of the object now. Never blocks, never touches the database. */
    public void read(String bucket, String key) {
        if (enabled && log.record(bucket, key, clock.instant()) && earlyFlushQueued.compareAndSet(false, true)) {
            flusher.execute(() -> {
                earlyFlushQueued.set(false);
                flushSafely();
            });
        }
    }

    /** Writes the reads recorded so far; a run calls it first so it judges this agent's latest reads. How many rows moved. */
    public synchronized int flush() {
        var batch = log.drain();
        if (batch.isEmpty()) {
            return 0;
        }
        try {
            int moved = metadata.recordAccesses(batch);
            flushed.increment(batch.size());
            return moved;
        } catch (MetadataUnavailableException e) {
            int dropped = log.restore(batch);
            if (dropped > 0) {
                LOG.warn("{} object reads could not be kept until the metadata database is back; those objects may turn cold early", dropped);
            }
            throw e;
        }
    }

    private void flushSafely() {
        try {
            flush();
        } catch (MetadataUnavailableException e) {
            LOG.debug("object reads wait for the metadata database: {}", e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("writing object reads failed, will retry: {}", e.toString());
        }
    }

    @PreDestroy
    void stop() {
        flusher.shutdownNow();
        if (enabled) {
            flushSafely();
        }
    }
}
