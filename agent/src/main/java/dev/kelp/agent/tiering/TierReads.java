package dev.kelp.agent.tiering;

import dev.kelp.agent.blob.BlobNotFoundException;
import dev.kelp.agent.blob.BlobStaging;
import dev.kelp.agent.blob.BlobStore;
import dev.kelp.agent.metadata.MetadataUnavailableException;
import dev.kelp.agent.metadata.TierMetadata;
import dev.kelp.agent.metadata.TierMetadata.ColdBlob;
import dev.kelp.agent.mode.ModeMonitor;
import dev.kelp.agent.object.HotStorage;
import dev.kelp.agent.object.ObjectRecord;
import dev.kelp.agent.sync.SyncQueue;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the read path asks of tiering ({@code ObjectService}, both doors): every read is noted
 * for the access tracker (in memory), and a blob whose hot copy is gone is read from its cold
 * copy. With {@code kelp.tiering.promote-on-read} the read also starts, in the background, a
 * copy back to the hot store: the bytes are staged on the fallback volume and their SHA-256
 * checked, stored hot (SeaweedFS, or the fallback volume with a sync-queue entry), and only
 * then is the cold record dropped and the cold copy deleted.
 */
@Singleton
public class TierReads {

    private static final Logger LOG = LoggerFactory.getLogger(TierReads.class);

    private final AccessTracker access;
    private final TierMetadata metadata;
    private final ColdStore cold;
    private final TieringConfig config;
    private final TierRules rules;
    private final BlobStaging staging;
    private final BlobStore local;
    private final Optional<BlobStore> remote;
    private final HotStorage hot;
    private final Set<String> promoting = ConcurrentHashMap.newKeySet();
    private final ExecutorService promotions = Executors.newFixedThreadPool(2, Thread.ofPlatform().name("kelp-tier-promote").daemon().factory());
    private final Counter coldReads;
    private final Counter promoted;

    TierReads(AccessTracker access, TierMetadata metadata, ColdStore cold, TieringConfig config, TierRules rules, BlobStaging staging,
              @Named("local") BlobStore local, @Named("remote") Optional<BlobStore> remote, SyncQueue syncQueue, ModeMonitor mode,
              MeterRegistry meters) {
        this.access = access;
        this.metadata = metadata;
        this.cold = cold;
        this.config = config;
        this.rules = rules;
        this.staging = staging;
        this.local = local;
        this.remote = remote;
        this.hot = new HotStorage(local, remote, syncQueue, mode);
        this.coldReads = meters.counter("kelp.tiering.cold.reads");
        this.promoted = meters.counter("kelp.tiering.promoted");
    }

    /** An app read the object: remembered in memory, written in the next batch. */
    public void read(ObjectRecord record) {
        access.read(record.bucket(), record.key());
    }

    /**
     * The content from the blob's cold copy, when it has one; empty when it has none (the blob
     * is missing for another reason). Promotes it back to hot when configured to.
     *
     * @param promote false for reads the agent makes itself (a backup), which are not an app's use
     */
    public Optional<InputStream> openCold(ObjectRecord record, long offset, long length, boolean promote) {
        Optional<ColdBlob> blob;
        try {
            blob = metadata.coldBlob(record.bucket(), record.hash());
        } catch (MetadataUnavailableException e) {
            throw TieringException.coldUnavailable(record.key(), "the metadata database that says where it is cannot be reached");
        }
        if (blob.isEmpty()) {
            return Optional.empty();
        }
        InputStream in;
        try {
            in = cold.open(blob.get(), offset, length);
        } catch (BlobNotFoundException e) {
            LOG.error("blob {} of {} is recorded cold at {} but is not there", record.hash(), record.key(), blob.get().targetKey());
            return Optional.empty();
        } catch (RuntimeException e) {
            throw TieringException.coldUnavailable(record.key(), e.getMessage() == null ? e.toString() : e.getMessage());
        }
        coldReads.increment();
        if (promote && promotes(blob.get())) {
            promoteLater(blob.get());
        }
        return Optional.of(in);
    }

    /** As the rule that moved it says, else (no such rule any more, or it does not say) as the agent does. */
    boolean promotes(ColdBlob blob) {
        return rules.find(blob.rule()).map(r -> r.promotesOnRead(config.promoteOnRead())).orElse(config.promoteOnRead());
    }

    private void promoteLater(ColdBlob blob) {
        String id = blob.bucket() + "/" + blob.hash().hex();
        if (!promoting.add(id)) {
            return;
        }
        promotions.execute(() -> {
            try {
                promote(blob);
            } catch (RuntimeException | IOException e) {
                // The object stays cold and readable; the next read tries again.
                LOG.warn("could not promote blob {} of bucket {} back to hot: {}", blob.hash(), blob.bucket(), e.toString());
            } finally {
                promoting.remove(id);
            }
        });
    }

    /**
     * Copies a cold blob back to hot, verified, then drops its cold record and, once the record
     * is gone, its copy: the copy's location is this move's own, so no later move is touched.
     */
    void promote(ColdBlob blob) throws IOException {
        try (InputStream in = cold.open(blob, 0, -1); var staged = staging.stage(in, Long.MAX_VALUE)) {
            if (!staged.hash().equals(blob.hash())) {
                throw new IllegalStateException("the cold copy of blob " + blob.hash() + " reads back as " + staged.hash() + ": not promoted");
            }
            hot.store(blob.bucket(), staged);
        }
        // The record goes only while the copy just stored is provably there: a release of a
        // leftover hot copy, under the same row lock, may have deleted it in between.
        if (!metadata.forgetColdIfHot(blob, () -> isHot(blob))) {
            throw new IllegalStateException("the hot copy of blob " + blob.hash() + " went while it was promoted; it stays cold");
        }
        try {
            cold.delete(blob);
        } catch (RuntimeException e) {
            LOG.warn("blob {} is hot again, but its cold copy {} could not be deleted: {}", blob.hash(), blob.targetKey(), e.toString());
        }
        promoted.increment();
        LOG.info("promoted blob {} of bucket {} ({} bytes) back to hot on read", blob.hash(), blob.bucket(), blob.size());
    }

    /** The fallback volume first: the sync drain releases a copy there only once SeaweedFS has it. */
    private boolean isHot(ColdBlob blob) {
        return local.exists(blob.bucket(), blob.hash()) || remote.map(r -> r.exists(blob.bucket(), blob.hash())).orElse(false);
    }

    @PreDestroy
    void stop() {
        promotions.shutdownNow();
    }
}
