package dev.kelp.agent.backup;

import dev.kelp.agent.blob.remote.SeaweedFsConfig;
import dev.kelp.agent.config.AgentIdentity;
import dev.kelp.agent.metadata.BackupLeases;
import dev.kelp.agent.metadata.MetadataSnapshot;
import dev.kelp.agent.object.ContentHash;
import dev.kelp.agent.object.ObjectRecord;
import dev.kelp.agent.object.ObjectService;
import dev.kelp.agent.object.StorageConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one backup of one schedule, start to finish, while holding the schedule's lease:
 * <ol>
 *   <li>marks Failed any run its manifest still calls Running (its runner died: only the lease
 *       holder runs, and that is us now);</li>
 *   <li>writes the run's manifest as Running;</li>
 *   <li>takes a consistent snapshot of the metadata into a local file;</li>
 *   <li>copies each blob the target does not have yet (incremental by content hash), checking
 *       each one's SHA-256 as it streams;</li>
 *   <li>uploads the snapshot, verifies every blob it needs by reading it back if asked, and
 *       writes the manifest Succeeded or Failed;</li>
 *   <li>applies retention: removes the runs no rule keeps, then the blobs no kept run needs.</li>
 * </ol>
 */
@Singleton
public class BackupRunner {

    private static final Logger LOG = LoggerFactory.getLogger(BackupRunner.class);
    private static final int FAILED_RUNS_KEPT = 3;
    private static final DateTimeFormatter RUN_ID = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private final MetadataSnapshot snapshots;
    private final StorageConfig storage;
    private final BackupRuns runs;
    private final BackupBlobs blobs;
    private final BackupLeases leases;
    private final ObjectService objects;
    private final Optional<SeaweedFsConfig> seaweedfs;
    private final String runner;
    private final MeterRegistry meters;
    private final Duration leaseTtl;
    private final int concurrency;
    private final Clock clock;

    /**
     * @param leaseTtl how long a schedule's lease lasts unrenewed (it is renewed every quarter of
     *                 it): how soon after its runner died another agent may run the schedule
     * @param concurrency blobs copied (and verified) at once
     */
    public BackupRunner(MetadataSnapshot snapshots, StorageConfig storage, BackupRuns runs, BackupBlobs blobs, BackupLeases leases, ObjectService objects, Optional<SeaweedFsConfig> seaweedfs,
                        AgentIdentity identity, MeterRegistry meters, @Value("${kelp.backups.lease-ttl:60s}") Duration leaseTtl,
                        @Value("${kelp.backups.concurrency:8}") int concurrency) {
        this.snapshots = snapshots;
        this.storage = storage;
        this.runs = runs;
        this.blobs = blobs;
        this.leases = leases;
        this.objects = objects;
        this.seaweedfs = seaweedfs;
        this.runner = identity.id() + "-" + ProcessHandle.current().pid();
        this.meters = meters;
        this.leaseTtl = leaseTtl;
        if (concurrency < 1 || concurrency > 64) {
            throw new IllegalArgumentException("kelp.backups.concurrency must be 1-64: " + concurrency);
        }
        this.concurrency = concurrency;
        this.clock = Clock.systemUTC();
    }

    /** Empty when another agent holds the schedule's lease: it runs this schedule, not us. */
    public Optional<BackupManifest> runIfLeaseFree(BackupScheduleConfig schedule) {
        if (!leases.acquire(schedule.name(), runner, clock.instant(), leaseTtl)) {
            LOG.info("backup {}: another agent holds the lease; not running", schedule.name());
            return Optional.empty();
        }
        BackupManifest result;
        try (var renewal = LeaseRenewal.start("the backup lease", () -> leases.acquire(schedule.name(), runner, clock.instant(), leaseTtl), leaseTtl.dividedBy(4));
             var target = BackupTarget.open(schedule, seaweedfs)) {
            result = run(schedule, target, renewal);
        } catch (RuntimeException unreachable) {
            // Not even a manifest could be written (the target is down, or refuses us): the run
            // still happened and failed, and the BackupSchedule's status must say so.
            Instant now = clock.instant();
            String why = "the backup target could not be reached: " + (unreachable.getMessage() == null ? unreachable : unreachable.getMessage());
            LOG.warn("backup {} failed before it started: {}", schedule.name(), why);
            result = BackupManifest.running(newRunId(now), schedule.name(), runner, now).failed(now, why);
            runs.ran(result);
        } finally {
            leases.release(schedule.name(), runner);
        }
        meters.counter("kelp.backup.runs", "schedule", schedule.name(), "phase", result.phase()).increment();
        return Optional.of(result);
    }

    private BackupManifest run(BackupScheduleConfig schedule, BackupTarget target, LeaseRenewal lease) {
        Instant started = clock.instant();
        target.ensureBucket();
        failAbandonedRuns(target, started);
        String id = newRunId(started);
        BackupManifest manifest = BackupManifest.running(id, schedule.name(), runner, started);
        target.put(target.runKey(id, "manifest.json"), manifest.toJson());
        runs.ran(manifest);
        LOG.info("backup {} run {} started into {}", schedule.name(), id, target.describe());
        Path snapshotFile = null;
        Instant snapshotAt = null;
        var counts = new Counts();
        try {
            snapshotFile = Files.createTempFile("kelp-backup-" + id, ".jsonl.gz");
            snapshotAt = clock.instant();
            writeSnapshot(snapshotFile, counts);
            lease.check();
            copyMissingBlobs(target, snapshotFile, counts, lease);
            try (InputStream snapshot = Files.newInputStream(snapshotFile)) {
                target.put(target.runKey(id, "objects.jsonl.gz"), snapshot, Files.size(snapshotFile));
            }
            Boolean verified = null;
            if (schedule.verify()) {
                verify(target, snapshotFile, lease);
                verified = true;
            }
            manifest = manifest.finished(BackupManifest.SUCCEEDED, snapshotAt, clock.instant(), counts.objects.get(), counts.bytes.get(),
                counts.uploadedBlobs.get(), counts.uploadedBytes.get(), verified, null);
            target.put(target.runKey(id, "manifest.json"), manifest.toJson());
            runs.ran(manifest);
            LOG.info("backup {} run {} succeeded: {} objects ({} bytes), {} new blobs ({} bytes){}", schedule.name(), id,
                counts.objects, counts.bytes, counts.uploadedBlobs, counts.uploadedBytes, verified == null ? "" : ", verified");
        } catch (RuntimeException | IOException e) {
            String why = e.getMessage() == null ? e.toString() : e.getMessage();
            LOG.warn("backup {} run {} failed: {}", schedule.name(), id, why, e);
            manifest = manifest.finished(BackupManifest.FAILED, snapshotAt, clock.instant(), counts.objects.get(), counts.bytes.get(),
                counts.uploadedBlobs.get(), counts.uploadedBytes.get(), null, why);
            try {
                target.put(target.runKey(id, "manifest.json"), manifest.toJson());
            } catch (RuntimeException unreachable) {
                LOG.warn("backup {} run {}: cannot mark it Failed on the target either; the next run will", schedule.name(), id);
            }
            runs.ran(manifest);
            return manifest;
        } finally {
            deleteQuietly(snapshotFile);
        }
        applyRetention(schedule, target);
        return manifest;
    }

    private static String newRunId(Instant started) {
        return RUN_ID.format(started) + "-" + HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt());
    }

    private void failAbandonedRuns(BackupTarget target, Instant now) {
        for (String runId : target.runIds()) {
            var manifest = target.read(target.runKey(runId, "manifest.json")).map(BackupManifest::fromJson);
            if (manifest.isPresent() && BackupManifest.RUNNING.equals(manifest.get().phase())) {
                LOG.warn("backup run {} was left Running by {}, which no longer holds the lease: marking it Failed", runId, manifest.get().runner());
                var failed = manifest.get().failed(now, "its runner " + manifest.get().runner() + " stopped before it finished");
                target.put(target.runKey(runId, "manifest.json"), failed.toJson());
                runs.abandoned(failed);
            }
        }
    }

    private void writeSnapshot(Path file, Counts counts) throws IOException {
        try (OutputStream out = new GZIPOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 64 * 1024), 64 * 1024)) {
            snapshots.forEachCurrent(storage.buckets(), record -> {
                SnapshotEntry.of(record).writeLine(out);
                counts.objects.incrementAndGet();
                counts.bytes.addAndGet(record.size());
            });
        }
    }

    private void copyMissingBlobs(BackupTarget target, Path snapshotFile, Counts counts, LeaseRenewal lease) throws IOException {
        Set<String> present = new HashSet<>(target.blobNames());
        try (InputStream in = Files.newInputStream(snapshotFile); var copies = new BoundedParallel(concurrency)) {
            SnapshotEntry.readAll(in, entry -> {
                if (BackupBlobs.present(present, entry.hash()) || !present.add(entry.hash())) {
                    return;
                }
                lease.check();
                copies.submit(() -> {
                    copyBlob(target, entry);
                    counts.uploadedBlobs.incrementAndGet();
                    counts.uploadedBytes.addAndGet(entry.size());
                });
            });
            copies.awaitAll();
        }
    }

    private void copyBlob(BackupTarget target, SnapshotEntry entry) {
        ObjectRecord record = new ObjectRecord(entry.bucket(), entry.key(), 0, entry.contentHash(), entry.size(),
            entry.contentType(), entry.userMetadata(), entry.created());
        try (var content = new DigestInputStream(objects.openForCopy(record), sha256())) {
            blobs.write(target, entry.hash(), entry.size(), content);
            var actual = ContentHash.of(content.getMessageDigest());
            if (!actual.equals(entry.contentHash())) {
                target.deleteBlob(entry.hash());
                target.deleteBlob(entry.hash() + dev.kelp.agent.encryption.BlobEncryption.ENCRYPTED_SUFFIX);
                throw new IllegalStateException("object " + entry.bucket() + "/" + entry.key() + " read back with SHA-256 "
                    + actual.hex() + ", not " + entry.hash() + ": its stored bytes are damaged; not backed up");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + entry.bucket() + "/" + entry.key(), e);
        }
    }

    private void verify(BackupTarget target, Path snapshotFile, LeaseRenewal lease) throws IOException {
        var checked = new HashSet<String>();
        try (InputStream in = Files.newInputStream(snapshotFile); var reads = new BoundedParallel(concurrency)) {
            SnapshotEntry.readAll(in, entry -> {
                if (!checked.add(entry.hash())) {
                    return;
                }
                lease.check();
                reads.submit(() -> verifyBlob(target, entry));
            });
            reads.awaitAll();
        }
    }

    private void verifyBlob(BackupTarget target, SnapshotEntry entry) {
        try (var content = new DigestInputStream(blobs.open(target, entry.hash()), sha256())) {
            content.transferTo(OutputStream.nullOutputStream());
            var actual = ContentHash.of(content.getMessageDigest());
            if (!actual.equals(entry.contentHash())) {
                throw new IllegalStateException("verification failed: blob " + entry.hash() + " reads back from the target as " + actual.hex());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("verification could not read blob " + entry.hash(), e);
        }
    }

    private void applyRetention(BackupScheduleConfig schedule, BackupTarget target) {
        try {
            var manifests = new ArrayList<BackupManifest>();
            for (String runId : target.runIds()) {
                target.read(target.runKey(runId, "manifest.json")).map(BackupManifest::fromJson).ifPresent(manifests::add);
            }
            var finished = manifests.stream().filter(m -> m.finishedAt() != null)
                .map(m -> new GfsRetention.Finished(m.id(), Instant.parse(m.finishedAt()), m.succeeded())).toList();
            Set<String> keep = GfsRetention.keep(finished, schedule.retention(), clock.instant());
            // A failed run stays as the record of what went wrong: the newest few always (as a
            // CronJob's failedJobsHistoryLimit), older ones while newer than the oldest backup kept.
            // It holds no snapshot, so the blobs it copied go unless a kept run needs them.
            Instant oldestKept = finished.stream().filter(f -> keep.contains(f.id())).map(GfsRetention.Finished::finishedAt)
                .min(Instant::compareTo).orElse(Instant.MAX);
            Set<String> recentFailures = new HashSet<>(finished.stream().filter(f -> !f.succeeded())
                .sorted(java.util.Comparator.comparing(GfsRetention.Finished::finishedAt).reversed())
                .limit(FAILED_RUNS_KEPT).map(GfsRetention.Finished::id).toList());
            List<String> drop = manifests.stream()
                .filter(m -> m.finishedAt() != null && !keep.contains(m.id()) && !recentFailures.contains(m.id())
                    && (m.succeeded() || Instant.parse(m.finishedAt()).isBefore(oldestKept)))
                .map(BackupManifest::id).toList();
            drop.forEach(target::deleteRun);
            if (!drop.isEmpty()) {
                LOG.info("backup {}: retention ({}) removed runs {}", schedule.name(), GfsRetention.describe(schedule.retention()), drop);
            }
            var needed = new HashSet<String>();
            for (BackupManifest m : manifests) {
                if (!drop.contains(m.id())) {
                    target.read(target.runKey(m.id(), "objects.jsonl.gz"))
                        .ifPresent(bytes -> SnapshotEntry.readAll(new java.io.ByteArrayInputStream(bytes), e -> needed.add(e.hash())));
                }
            }
            long removed = target.blobNames().stream().filter(name -> !needed.contains(BackupBlobs.hashOf(name)))
                .peek(target::deleteBlob).count();
            if (removed > 0) {
                LOG.info("backup {}: removed {} blobs no kept run needs", schedule.name(), removed);
            }
        } catch (RuntimeException e) {
            // The backup itself succeeded; retention runs again after the next one.
            LOG.warn("backup {}: retention failed, will retry after the next run: {}", schedule.name(), e.toString());
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                LOG.debug("cannot delete {}", file, e);
            }
        }
    }

    private static final class Counts {
        final AtomicLong objects = new AtomicLong();
        final AtomicLong bytes = new AtomicLong();
        final AtomicLong uploadedBlobs = new AtomicLong();
        final AtomicLong uploadedBytes = new AtomicLong();
    }
}
