package dev.kelp.agent.tiering;

import dev.kelp.agent.backup.LeaseRenewal;
import dev.kelp.agent.blob.BlobStore;
import dev.kelp.agent.blob.BlobStoreUnavailableException;
import dev.kelp.agent.config.AgentIdentity;
import dev.kelp.agent.metadata.BackupLeases;
import dev.kelp.agent.metadata.TierMetadata;
import dev.kelp.agent.metadata.TierMetadata.Candidate;
import dev.kelp.agent.metadata.TierMetadata.ColdBlob;
import dev.kelp.agent.object.ContentHash;
import dev.kelp.agent.object.ObjectRecord;
import dev.kelp.agent.object.ObjectService;
import dev.kelp.agent.object.StorageConfig;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.DigestInputStream;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one tier rule once, while holding its lease ({@code tier/<rule>} in the shared
 * {@code backup_leases} table): one agent of the policy at a time.
 * <ol>
 *   <li>writes this agent's recorded reads, so it judges its own latest ones;</li>
 *   <li>moves cold each current object the rule matches that was neither written nor read for
 *       cold-after: copy its blob from SeaweedFS to the target (checking its SHA-256 as it
 *       streams), read the copy back and check it again, record it in {@code cold_blobs}, and
 *       only then delete the hot copy. A blob other current objects share moves only when each
 *       of them is due too; a blob still on the fallback volume waiting to sync is left for a
 *       later run. A crash at any step leaves the hot copy, or a recorded verified cold one;</li>
 *   <li>with expire-after, deletes the objects unused that long through the normal delete path
 *       (versions, quotas, events as for any delete);</li>
 *   <li>deletes the cold copies of blobs the reclaimer has removed;</li>
 *   <li>counts the rule's objects per tier, and hands the run to {@link TierRuns} for the report.</li>
 * </ol>
 */
@Singleton
public class TierRunner {

    private static final Logger LOG = LoggerFactory.getLogger(TierRunner.class);
    private static final DateTimeFormatter RUN_ID = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private final TieringConfig config;
    private final StorageConfig storage;
    private final TierMetadata metadata;
    private final AccessTracker access;
    private final ColdStore cold;
    private final BlobStore local;
    private final Optional<BlobStore> remote;
    private final ObjectService objects;
    private final BackupLeases leases;
    private final TierRuns runs;
    private final MeterRegistry meters;
    private final String runner;
    private final Clock clock = Clock.systemUTC();

    TierRunner(TieringConfig config, StorageConfig storage, TierMetadata metadata, AccessTracker access, ColdStore cold,
               @Named("local") BlobStore local, @Named("remote") Optional<BlobStore> remote, ObjectService objects,
               BackupLeases leases, TierRuns runs, MeterRegistry meters, AgentIdentity identity) {
        this.config = config;
        this.storage = storage;
        this.metadata = metadata;
        this.access = access;
        this.cold = cold;
        this.local = local;
        this.remote = remote;
        this.objects = objects;
        this.leases = leases;
        this.runs = runs;
        this.meters = meters;
        this.runner = identity.id() + "-" + ProcessHandle.current().pid();
    }

    /** Empty when another agent holds the rule's lease: it runs the rule, not us. */
    public Optional<TierRun> runIfLeaseFree(TierRule rule) {
        String lease = "tier/" + rule.name();
        if (!leases.acquire(lease, runner, clock.instant(), config.leaseTtl())) {
            LOG.debug("tier rule {}: another agent holds the lease; not running", rule.name());
            return Optional.empty();
        }
        try (var renewal = LeaseRenewal.start("the tier rule's lease", () -> leases.acquire(lease, runner, clock.instant(), config.leaseTtl()),
            config.leaseTtl().dividedBy(4))) {
            TierRun run = run(rule, renewal);
            meters.counter("kelp.tiering.runs", "rule", rule.name(), "phase", run.phase()).increment();
            return Optional.of(run);
        } finally {
            try {
                leases.release(lease, runner);
            } catch (RuntimeException e) {
                LOG.debug("tier rule {}: lease not released ({}); it expires by itself", rule.name(), e.getMessage());
            }
        }
    }

    private TierRun run(TierRule rule, LeaseRenewal lease) {
        Instant started = clock.instant();
        String id = RUN_ID.format(started) + "-" + HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt());
        var counts = new Counts();
        runs.ran(counts.toRun(rule.name(), id, TierRun.RUNNING, started, null, null));
        String failure = null;
        try {
            access.flush();
            BlobStore hot = remote.orElseThrow(() -> new IllegalStateException(
                "tiering moves blobs from SeaweedFS, and this agent has none (kelp.seaweedfs.endpoint)"));
            releaseLeftovers(hot);
            for (String bucket : storage.buckets()) {
                moveCold(rule, bucket, hot, started, counts, lease);
                if (rule.expires()) {
                    expire(rule, bucket, started, counts, lease);
                }
            }
            sweepOrphans();
            tally(rule, counts);
        } catch (RuntimeException e) {
            failure = e.getMessage() == null ? e.toString() : e.getMessage();
            LOG.warn("tier rule {} run {} failed: {}", rule.name(), id, failure);
        }
        if (failure == null && counts.errors > 0) {
            failure = counts.errors + " object(s) could not be moved or expired; the first: " + counts.firstError;
        }
        TierRun run = counts.toRun(rule.name(), id, failure == null ? TierRun.SUCCEEDED : TierRun.FAILED, started, clock.instant(), failure);
        runs.ran(run);
        if (counts.objectsMoved + counts.objectsExpired > 0 || failure != null) {
            LOG.info("tier rule {} run {}: {} objects ({} bytes) moved cold, {} expired, {} errors, in {} ms", rule.name(), id,
                counts.objectsMoved, counts.bytesMoved, counts.objectsExpired, counts.errors,
                java.time.Duration.between(started, clock.instant()).toMillis());
        }
        return run;
    }

    private void moveCold(TierRule rule, String bucket, BlobStore hot, Instant now, Counts counts, LeaseRenewal lease) {
        Instant cutoff = rule.coldCutoff(now);
        Set<ContentHash> handled = new HashSet<>();
        String after = "";
        while (true) {
            var page = metadata.unusedSince(bucket, rule.matcher().prefix(), rule.matcher().minSize(), rule.matcher().maxSize(),
                cutoff, true, after, config.batchSize());
            for (Candidate c : page) {
                after = c.record().key();
                if (!rule.matcher().matchesType(c.record().contentType()) || !handled.add(c.record().hash())) {
                    continue;
                }
                lease.check();
                try {
                    long sharing = 1;
                    if (c.blobRefs() > 1) {
                        var refs = metadata.currentReferences(bucket, c.record().hash());
                        if (!rule.allDueCold(refs, now)) {
                            continue; // another object with the same content is in use: the blob stays hot
                        }
                        sharing = Math.max(1, refs.size());
                    }
                    if (local.exists(bucket, c.record().hash())) {
                        continue; // still on the fallback volume, waiting to sync: the drain owns it
                    }
                    move(rule, c.record(), hot, now);
                    counts.objectsMoved += sharing;
                    counts.bytesMoved += c.record().size();
                } catch (BlobStoreUnavailableException e) {
                    // SeaweedFS is down: every further object would fail the same way. The next run goes on.
                    throw new IllegalStateException("SeaweedFS cannot be reached: " + e.getMessage(), e);
                } catch (RuntimeException e) {
                    counts.error(bucket + "/" + c.record().key() + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()));
                }
            }
            if (page.size() < config.batchSize()) {
                return;
            }
        }
    }

    /** Copy, verify, record, and only then release the hot copy: the order that never loses the only copy. */
    private void move(TierRule rule, ObjectRecord record, BlobStore hot, Instant now) {
        ColdBlob placed;
        try (var in = new DigestInputStream(hot.open(record.bucket(), record.hash(), 0, -1), ContentHash.newDigest())) {
            placed = cold.write(rule, record.bucket(), record.hash(), record.size(), in, now);
            var actual = ContentHash.of(in.getMessageDigest());
            if (!actual.equals(record.hash())) {
                cold.delete(placed);
                throw new IllegalStateException("its stored bytes read back with SHA-256 " + actual.hex() + ", not " + record.hash().hex()
                    + ": damaged, left hot");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy blob " + record.hash() + " to its cold target", e);
        }
        if (!cold.verify(placed)) {
            cold.delete(placed);
            throw new IllegalStateException("its cold copy " + placed.targetKey() + " did not read back with SHA-256 " + record.hash().hex()
                + ": left hot");
        }
        metadata.recordCold(placed);
        // A failure or a crash from here on leaves both copies, the record saying the hot one is
        // not released yet: the next run of any agent releases it (releaseLeftovers).
        metadata.releaseHot(placed, () -> hot.delete(record.bucket(), record.hash()));
    }

    /**
     * Deletes hot copies that a failed delete or a crash left after their cold copy was
     * recorded, while their cold record still stands (docs/tiering.md, "Crashes").
     */
    private void releaseLeftovers(BlobStore hot) {
        for (ColdBlob left : metadata.unreleasedHotCopies(storage.buckets(), config.batchSize())) {
            try {
                metadata.releaseHot(left, () -> hot.delete(left.bucket(), left.hash()));
            } catch (RuntimeException e) {
                LOG.warn("cannot release the hot copy of blob {} (cold at {}): {}", left.hash(), left.targetKey(), e.toString());
            }
        }
    }

    private void expire(TierRule rule, String bucket, Instant now, Counts counts, LeaseRenewal lease) {
        Instant cutoff = rule.expireCutoff(now);
        String after = "";
        while (true) {
            var page = metadata.unusedSince(bucket, rule.matcher().prefix(), rule.matcher().minSize(), rule.matcher().maxSize(),
                cutoff, false, after, config.batchSize());
            for (Candidate c : page) {
                after = c.record().key();
                if (!rule.matcher().matchesType(c.record().contentType())) {
                    continue;
                }
                lease.check();
                try {
                    // Only the version that was judged unused, in the delete's own transaction: a
                    // write since then is not expired with it.
                    if (objects.deleteObjectIfCurrent(bucket, c.record().key(), c.record().version()).isPresent()) {
                        counts.objectsExpired++;
                        counts.bytesExpired += c.record().size();
                    }
                } catch (RuntimeException e) {
                    counts.error(bucket + "/" + c.record().key() + ": cannot expire: " + e.getMessage());
                }
            }
            if (page.size() < config.batchSize()) {
                return;
            }
        }
    }

    /** Cold copies of blobs the reclaimer removed serve nobody: bytes first, then the record. */
    private void sweepOrphans() {
        for (ColdBlob orphan : metadata.orphanedColdBlobs(storage.buckets(), config.batchSize())) {
            try {
                cold.delete(orphan);
                metadata.forgetCold(orphan);
            } catch (RuntimeException e) {
                LOG.warn("cannot remove the cold copy {} of reclaimed blob {}: {}", orphan.targetKey(), orphan.hash(), e.toString());
            }
        }
    }

    private void tally(TierRule rule, Counts counts) {
        for (String bucket : storage.buckets()) {
            for (var t : metadata.tally(bucket, rule.matcher().prefix(), rule.matcher().minSize(), rule.matcher().maxSize())) {
                if (!rule.matcher().matchesType(t.contentType())) {
                    continue;
                }
                if (t.cold()) {
                    counts.coldObjects += t.objects();
                    counts.coldBytes += t.bytes();
                } else {
                    counts.hotObjects += t.objects();
                    counts.hotBytes += t.bytes();
                }
            }
        }
    }

    private static final class Counts {
        long objectsMoved;
        long bytesMoved;
        long objectsExpired;
        long bytesExpired;
        long hotObjects;
        long hotBytes;
        long coldObjects;
        long coldBytes;
        long errors;
        String firstError;

        void error(String what) {
            if (errors++ == 0) {
                firstError = what;
            }
            if (errors <= 10) {
                LOG.warn("tiering: {}", what);
            }
        }

        TierRun toRun(String rule, String id, String phase, Instant started, Instant finished, String message) {
            return new TierRun(rule, id, phase, started.toString(), finished == null ? null : finished.toString(), objectsMoved, bytesMoved,
                objectsExpired, bytesExpired, hotObjects, hotBytes, coldObjects, coldBytes, errors, message);
        }
    }
}
