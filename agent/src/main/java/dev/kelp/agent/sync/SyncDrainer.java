package dev.kelp.agent.sync;

import dev.kelp.agent.blob.BlobContentMismatchException;
import dev.kelp.agent.blob.local.LocalBlobStore;
import dev.kelp.agent.blob.remote.SeaweedFsBlobStore;
import dev.kelp.agent.events.AgentEvent;
import dev.kelp.agent.events.EventSink;
import dev.kelp.agent.mode.Mode;
import dev.kelp.agent.mode.ModeMonitor;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains the sync queue whenever the agent is FULL: uploads each blob from the fallback
 * volume, verifies its SHA-256 on SeaweedFS, and only then releases the local copy and the
 * queue entry. Entries are taken oldest first, {@code concurrency} at a time; a failure
 * leaves the entry for the next round, so a crash or restart mid-drain just resumes. A local
 * copy found damaged, with no good copy on SeaweedFS, is quarantined and reported, not retried.
 */
@Context
@Singleton
@Requires(beans = SeaweedFsBlobStore.class)
public class SyncDrainer {

    private static final Logger LOG = LoggerFactory.getLogger(SyncDrainer.class);

    private final SyncQueue queue;
    private final LocalBlobStore local;
    private final SeaweedFsBlobStore remote;
    private final ModeMonitor mode;
    private final EventSink events;
    private final SyncConfig config;
    private final Counter synced;
    private final Counter syncedBytes;
    private final Counter failures;
    private final Counter damaged;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
        Thread.ofPlatform().name("kelp-sync-scheduler").daemon().factory());
    private final ExecutorService uploads;
    private final AtomicBoolean draining = new AtomicBoolean();

    SyncDrainer(SyncQueue queue, LocalBlobStore local, SeaweedFsBlobStore remote, ModeMonitor mode,
                EventSink events, SyncConfig config, MeterRegistry meters) {
        this.queue = queue;
        this.local = local;
        this.remote = remote;
        this.mode = mode;
        this.events = events;
        this.config = config;
        this.uploads = Executors.newFixedThreadPool(config.concurrency(), Thread.ofPlatform().name("kelp-sync-", 0).daemon().factory());
        this.synced = meters.counter("kelp.sync.objects");
        this.syncedBytes = meters.counter("kelp.sync.bytes");
        this.failures = meters.counter("kelp.sync.failures");
        this.damaged = meters.counter("kelp.sync.damaged");
        meters.gauge("kelp.sync.pending.objects", queue, q -> q.pending().objects());
        meters.gauge("kelp.sync.pending.bytes", queue, q -> q.pending().bytes());
    }

    @PostConstruct
    void start() {
        long every = config.interval().toMillis();
        scheduler.scheduleWithFixedDelay(this::drainSafely, every, every, TimeUnit.MILLISECONDS);
        mode.addListener(state -> {
            if (state.mode() == Mode.FULL) {
                scheduler.execute(this::drainSafely);
            }
        });
    }

    @PreDestroy
    void stop() throws InterruptedException {
        scheduler.shutdownNow();
        drainBeforeExit();
        uploads.shutdown();
        // An upload cut short here is simply redone after restart: its entry is still queued.
        uploads.awaitTermination(10, TimeUnit.SECONDS);
    }

    /**
     * The last drain, as the agent stops (SIGTERM, when the pod goes): the server has finished
     * its in-flight requests by now, so the queue only shrinks. Bounded by
     * {@code kelp.sync.shutdown-drain-timeout}, so the kubelet's grace period is not overrun;
     * what is left stays queued on the volume for the next agent that mounts it.
     */
    private void drainBeforeExit() throws InterruptedException {
        Instant deadline = Instant.now().plus(config.shutdownDrainTimeout());
        while (queue.pending().objects() > 0 && mode.current().mode() == Mode.FULL && Instant.now().isBefore(deadline)) {
            if (drain(deadline) == 0) {
                // A scheduled round still owns the drain, or nothing would go: look again shortly.
                Thread.sleep(100);
            }
        }
        var left = queue.pending();
        if (left.objects() > 0) {
            LOG.warn("stopping with {} objects ({} bytes) not yet on SeaweedFS (mode {}); they stay queued on the fallback volume "
                + "and sync when an agent next runs on it", left.objects(), left.bytes(), mode.current().mode());
        } else {
            LOG.info("stopping with nothing left to sync");
        }
    }

    /**
     * Starts a drain round now instead of at the next interval, for a person who wants the
     * queue emptied (POST /v1/sync); a round already running just goes on.
     */
    public void requestDrain() {
        scheduler.execute(this::drainSafely);
    }

    /** Drains until the queue is empty or the agent leaves FULL; returns the number synced. */
    public int drain() {
        return drain(Instant.MAX);
    }

    private int drain(Instant deadline) {
        if (!draining.compareAndSet(false, true)) {
            return 0;
        }
        int width = config.concurrency();
        var slots = new Semaphore(width);
        var done = new AtomicInteger();
        try {
            // Entries go out oldest first, each as soon as a slot is free rather than in batches
            // that wait for their slowest upload. One pass: what fails stays queued, behind the
            // cursor, for the next round; what is enqueued meanwhile is ahead of it and goes now.
            long cursor = 0;
            pass:
            while (true) {
                List<SyncQueue.SyncEntry> next = queue.after(cursor, width);
                if (next.isEmpty()) {
                    break;
                }
                for (var entry : next) {
                    slots.acquire();
                    if (mode.current().mode() != Mode.FULL || !Instant.now().isBefore(deadline)) {
                        slots.release();
                        break pass;
                    }
                    cursor = entry.sequence();
                    uploads.execute(() -> {
                        try {
                            if (syncOne(entry)) {
                                done.incrementAndGet();
                            }
                        } catch (RuntimeException e) {
                            failures.increment();
                            LOG.warn("sync of a blob failed; it stays queued: {}", e.toString());
                        } finally {
                            slots.release();
                        }
                    });
                }
            }
            // The round ends when its last upload does, so no two rounds sync one entry at once.
            slots.acquire(width);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            draining.set(false);
        }
        return done.get();
    }

    private void drainSafely() {
        try {
            drain();
        } catch (RuntimeException e) {
            LOG.warn("sync drain round failed: {}", e.toString());
        }
    }

    private boolean syncOne(SyncQueue.SyncEntry entry) {
        if (!local.exists(entry.bucket(), entry.hash())) {
            // Released already (a crash after release, before the entry was removed) or reclaimed.
            queue.complete(entry);
            return true;
        }
        // A large blob goes as chunks (block-level dedup), from its plaintext; any other as it is stored here.
        var stored = local.locateStored(entry.bucket(), entry.hash());
        try {
            if (!remote.putChunked(entry.bucket(), entry.hash(), entry.size(), () -> local.open(entry.bucket(), entry.hash(), 0, -1),
                stored.encrypted() ? Optional.empty() : Optional.of(stored.file()))) {
                remote.putStored(entry.bucket(), entry.hash(), stored);
            }
        } catch (BlobContentMismatchException refused) {
            // SeaweedFS refused bytes that do not hash to their name. It may hold a good copy
            // all the same (another agent's, or this one's from a drain cut short): verified below.
            LOG.warn("{}", refused.getMessage());
        }
        if (!remote.verify(entry.bucket(), entry.hash())) {
            if (!local.verify(entry.bucket(), entry.hash())) {
                settleDamaged(entry);
                return true;
            }
            events.emit(new AgentEvent(UUID.randomUUID(), Instant.now(), AgentEvent.Type.ERROR, entry.bucket(), null,
                Map.of("hash", entry.hash().hex(), "error", "SHA-256 on SeaweedFS differs after upload; will retry")));
            throw new IllegalStateException("blob " + entry.hash() + " did not verify on SeaweedFS");
        }
        release(entry);
        return true;
    }

    /**
     * The local copy no longer hashes to its name (a disk fault, or a bug) and SeaweedFS holds
     * no good copy: the content is lost, and saying so beats retrying forever or serving wrong
     * bytes. Whatever this drain put on SeaweedFS for it goes, the copy is kept aside for a
     * person, and the entry leaves the queue; reads of the objects that used it fail with
     * BlobMissing from now on.
     */
    private void settleDamaged(SyncQueue.SyncEntry entry) {
        remote.delete(entry.bucket(), entry.hash());
        var aside = local.quarantine(entry.bucket(), entry.hash());
        queue.complete(entry);
        damaged.increment();
        String error = "the copy on the fallback volume no longer hashes to its name and SeaweedFS has no good copy: content lost;"
            + " the damaged copy is at " + aside;
        LOG.error("blob {} of bucket {} ({} bytes): {}", entry.hash(), entry.bucket(), entry.size(), error);
        events.emit(new AgentEvent(UUID.randomUUID(), Instant.now(), AgentEvent.Type.ERROR, entry.bucket(), null,
            Map.of("hash", entry.hash().hex(), "size", Long.toString(entry.size()), "error", error)));
    }

    private void release(SyncQueue.SyncEntry entry) {
        local.delete(entry.bucket(), entry.hash());
        queue.complete(entry);
        synced.increment();
        syncedBytes.increment(entry.size());
        events.emit(new AgentEvent(UUID.randomUUID(), Instant.now(), AgentEvent.Type.SYNC, entry.bucket(), null,
            Map.of("hash", entry.hash().hex(), "size", Long.toString(entry.size()),
                "queuedFor", Long.toString(java.time.Duration.between(entry.enqueuedAt(), Instant.now()).toMillis()) + "ms")));
    }
}
