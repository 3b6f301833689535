package dev.kelp.agent.object;

import dev.kelp.agent.blob.BlobStore;
import dev.kelp.agent.blob.cache.BlobDiskCache;
import dev.kelp.agent.blob.remote.SeaweedFsBlobStore;
import dev.kelp.agent.metadata.MetadataStore;
import dev.kelp.agent.metadata.MetadataStore.BlobRef;
import dev.kelp.agent.metadata.MetadataUnavailableException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.BeanProvider;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Value;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Named;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes the bytes of blobs nothing refers to any more (every object and kept version that
 * used them was overwritten, deleted or pruned), once they have been unreferenced for
 * {@code kelp.reclaim.after}: the wait lets a read that looked the object up just before its
 * delete still find the bytes. Each blob goes through {@link MetadataStore#reclaim}, which holds
 * its row while the bytes go, so a write of the same content meanwhile either keeps it or stores
 * the bytes again. Bytes go from SeaweedFS and from the fallback volume; when SeaweedFS cannot
 * be reached the blob stays for the next round. While the metadata database is down nothing is
 * reclaimed (LOCAL_ONLY cannot know what other agents still refer to).
 */
@Context
public final class BlobReclaimer {

    private static final Logger LOG = LoggerFactory.getLogger(BlobReclaimer.class);
    private static final int BATCH = 500;

    // Resolved when a round runs, not at start: an eager bean that built the stores would turn a
    // bad kelp.fallback setting into a failure of the whole context instead of that bean's.
    private final BeanProvider<MetadataStore> metadataProvider;
    private final BeanProvider<BlobStore> localProvider;
    private final BeanProvider<BlobStore> remoteProvider;
    private final BeanProvider<BlobDiskCache> diskCacheProvider;
    private final Duration after;
    private final Clock clock = Clock.systemUTC();
    private final Counter reclaimed;
    private final Counter reclaimedBytes;
    private final Counter reclaimedChunks;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
        Thread.ofPlatform().name("kelp-blob-reclaimer").daemon().factory());

    /**
     * @param after    how long a blob stays unreferenced before its bytes are deleted
     * @param interval how often the reclaimer looks
     */
    BlobReclaimer(BeanProvider<MetadataStore> metadata, @Named("local") BeanProvider<BlobStore> local,
                  @Named("remote") BeanProvider<BlobStore> remote, BeanProvider<BlobDiskCache> diskCache, MeterRegistry meters,
                  @Value("${kelp.reclaim.after:10m}") Duration after, @Value("${kelp.reclaim.interval:1m}") Duration interval) {
        if (after.isNegative() || interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("kelp.reclaim.after must not be negative and kelp.reclaim.interval must be positive");
        }
        this.metadataProvider = metadata;
        this.localProvider = local;
        this.remoteProvider = remote;
        this.diskCacheProvider = diskCache;
        this.after = after;
        this.reclaimed = meters.counter("kelp.blobs.reclaimed");
        this.reclaimedBytes = meters.counter("kelp.blobs.reclaimed.bytes");
        this.reclaimedChunks = meters.counter("kelp.dedup.block.chunks.reclaimed");
        timer.scheduleWithFixedDelay(this::reclaimSafely, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One round: every blob unreferenced long enough, in batches; how many were reclaimed. */
    public int reclaimNow() {
        MetadataStore metadata = metadataProvider.get();
        int total = 0;
        while (true) {
            var batch = metadata.unreferencedBlobs(clock.instant().minus(after), BATCH);
            int done = 0;
            for (BlobRef blob : batch) {
                if (metadata.reclaim(blob, () -> deleteBytes(blob))) {
                    done++;
                    reclaimed.increment();
                    reclaimedBytes.increment(blob.size());
                }
            }
            total += done;
            if (batch.size() < BATCH || done == 0) {
                return total + reclaimChunks();
            }
        }
    }

    /** Chunks of blobs kept as chunks on SeaweedFS (block-level dedup) that no blob uses any more. */
    private int reclaimChunks() {
        if (remoteProvider.isPresent() && remoteProvider.get() instanceof SeaweedFsBlobStore seaweed) {
            int n = seaweed.reclaimChunks(clock.instant().minus(after));
            reclaimedChunks.increment(n);
            return n;
        }
        return 0;
    }

    private void deleteBytes(BlobRef blob) {
        // SeaweedFS first: if it cannot be reached the reclaim rolls back and the local copy, if
        // any, still serves nobody but costs nothing; the next round tries again.
        if (remoteProvider.isPresent()) {
            remoteProvider.get().delete(blob.bucket(), blob.hash());
        }
        localProvider.get().delete(blob.bucket(), blob.hash());
        diskCacheProvider.get().forget(blob.bucket(), blob.hash());
    }

    private void reclaimSafely() {
        try {
            int n = reclaimNow();
            if (n > 0) {
                LOG.info("reclaimed {} blobs nothing refers to any more", n);
            }
        } catch (MetadataUnavailableException e) {
            LOG.debug("not reclaiming while the metadata database is unreachable: {}", e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("blob reclaim round failed, will retry: {}", e.toString());
        }
    }

    @PreDestroy
    void stop() {
        timer.shutdownNow();
    }
}
