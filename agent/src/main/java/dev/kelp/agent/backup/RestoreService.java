package dev.kelp.agent.backup;

import dev.kelp.agent.access.Caller;
import dev.kelp.agent.access.CallerContext;

import dev.kelp.agent.blob.BlobStaging;
import dev.kelp.agent.blob.StagedBlob;
import dev.kelp.agent.blob.remote.SeaweedFsConfig;
import dev.kelp.agent.object.ObjectService;
import dev.kelp.agent.object.PutRequest;
import dev.kelp.agent.object.StorageConfig;
import io.micronaut.context.annotation.Value;
import io.micronaut.serde.annotation.Serdeable;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restores the objects of a backup, chosen by point in time, into the bucket they came from or
 * another one. Everything that could refuse the restore is checked before the first write
 * (the schedule, the buckets, a backup at or before the point); then it runs in the
 * background and {@link #status} tells how far it got. Each object is staged and its SHA-256
 * checked against the snapshot before it is written, through the engine's own write path
 * (modes, fallback, sync, quotas, events), so a damaged backup blob is reported, never stored.
 */
@Singleton
public class RestoreService {

    private static final Logger LOG = LoggerFactory.getLogger(RestoreService.class);

    private final BackupSchedules schedules;
    private final ObjectService objects;
    private final BlobStaging staging;
    private final BackupBlobs blobs;
    private final StorageConfig storage;
    private final Optional<SeaweedFsConfig> seaweedfs;
    private final Map<String, Restore> restores = new ConcurrentHashMap<>();
    private final Clock clock = Clock.systemUTC();
    private final int concurrency;

    RestoreService(BackupSchedules schedules, ObjectService objects, BlobStaging staging, BackupBlobs blobs, StorageConfig storage,
                   Optional<SeaweedFsConfig> seaweedfs, @Value("${kelp.backups.concurrency:8}") int concurrency) {
        this.schedules = schedules;
        this.objects = objects;
        this.staging = staging;
        this.blobs = blobs;
        this.storage = storage;
        this.seaweedfs = seaweedfs;
        this.concurrency = Math.max(1, concurrency);
    }

    /**
     * @param schedule     whose backups to restore from
     * @param at           the point in time: the newest successful backup whose snapshot is at or before it; null: the newest
     * @param bucket       the bucket whose objects to restore; null: every bucket of the backup, each into itself
     * @param targetBucket where {@code bucket}'s objects go; null: {@code bucket} itself
     */
    @Serdeable
    public record Request(String schedule, Instant at, String bucket, String targetBucket) {
    }

    /** A restore's progress; {@code phase} Running, Succeeded or Failed. */
    @Serdeable
    public record Restore(String id, String schedule, String backup, String backupSnapshotAt, String bucket, String targetBucket,
                          String phase, String startedAt, String finishedAt, long objects, long bytes, long failedObjects,
                          String message) {
    }

    /** Lists what a schedule's target holds, newest first. */
    public java.util.List<BackupManifest> backups(String scheduleName) {
        var schedule = schedules.require(scheduleName);
        try (var target = BackupTarget.open(schedule, seaweedfs)) {
            return manifests(target).stream().sorted(Comparator.comparing(BackupManifest::id).reversed()).toList();
        }
    }

    public Restore start(Request request) {
        if (request.schedule() == null || request.schedule().isBlank()) {
            throw BackupException.badRequest("a restore names the backup schedule to restore from (\"schedule\")");
        }
        var schedule = schedules.require(request.schedule());
        if (request.targetBucket() != null && request.bucket() == null) {
            throw BackupException.badRequest("targetBucket needs bucket: name the bucket whose objects go into " + request.targetBucket());
        }
        for (String b : new String[] {request.bucket(), request.targetBucket()}) {
            if (b != null && !storage.buckets().contains(b)) {
                throw BackupException.badRequest("bucket " + b + " is not one of this policy's buckets " + storage.buckets());
            }
        }
        var target = BackupTarget.open(schedule, seaweedfs);
        BackupManifest chosen;
        try {
            chosen = choose(manifests(target), request.at(), schedule.name());
        } catch (RuntimeException e) {
            target.close();
            throw e;
        }
        String id = UUID.randomUUID().toString();
        String targetBucket = request.targetBucket() != null ? request.targetBucket() : request.bucket();
        var restore = new Restore(id, schedule.name(), chosen.id(), chosen.snapshotAt(), request.bucket(), targetBucket,
            BackupManifest.RUNNING, clock.instant().toString(), null, 0, 0, 0, null);
        restores.put(id, restore);
        Thread.ofVirtual().name("kelp-restore-" + id).start(() -> {
            try (target) {
                run(restore, target, request.bucket(), targetBucket);
            }
        });
        LOG.info("restore {} started: backup {} of {} (snapshot at {}), bucket {} into {}", id, chosen.id(), schedule.name(),
            chosen.snapshotAt(), request.bucket() == null ? "(all)" : request.bucket(), targetBucket == null ? "(the same)" : targetBucket);
        return restore;
    }

    public Restore status(String id) {
        var restore = restores.get(id);
        if (restore == null) {
            throw BackupException.unknownRestore(id);
        }
        return restore;
    }

    static BackupManifest choose(java.util.List<BackupManifest> manifests, Instant at, String schedule) {
        var succeeded = manifests.stream().filter(BackupManifest::succeeded).filter(m -> m.snapshotAt() != null)
            .sorted(Comparator.comparing(BackupManifest::snapshotInstant)).toList();
        if (succeeded.isEmpty()) {
            throw BackupException.noRestorePoint("backup schedule " + schedule + " has no successful backup to restore from");
        }
        if (at == null) {
            return succeeded.getLast();
        }
        BackupManifest chosen = null;
        for (BackupManifest m : succeeded) {
            if (!m.snapshotInstant().isAfter(at)) {
                chosen = m;
            }
        }
        if (chosen == null) {
            throw BackupException.noRestorePoint("no backup of schedule " + schedule + " was taken at or before " + at
                + "; the first successful one is " + succeeded.getFirst().id() + ", a snapshot at " + succeeded.getFirst().snapshotAt());
        }
        return chosen;
    }

    private static java.util.List<BackupManifest> manifests(BackupTarget target) {
        var manifests = new ArrayList<BackupManifest>();
        for (String runId : target.runIds()) {
            target.read(target.runKey(runId, "manifest.json")).map(BackupManifest::fromJson).ifPresent(manifests::add);
        }
        return manifests;
    }

    private void run(Restore started, BackupTarget target, String bucket, String targetBucket) {
        var restored = new AtomicLong();
        var bytes = new AtomicLong();
        var failed = new AtomicLong();
        var firstFailure = new StringBuilder();
        try (InputStream snapshot = target.open(target.runKey(started.backup(), "objects.jsonl.gz"));
             var writes = new BoundedParallel(concurrency)) {
            SnapshotEntry.readAll(snapshot, entry -> {
                if (bucket != null && !bucket.equals(entry.bucket())) {
                    return;
                }
                String into = targetBucket != null ? targetBucket : entry.bucket();
                writes.submit(() -> {
                    try {
                        restoreOne(target, entry, into);
                        restored.incrementAndGet();
                        bytes.addAndGet(entry.size());
                    } catch (RuntimeException | IOException e) {
                        failed.incrementAndGet();
                        synchronized (firstFailure) {
                            if (firstFailure.isEmpty()) {
                                firstFailure.append(entry.bucket()).append('/').append(entry.key()).append(": ").append(e.getMessage());
                            }
                        }
                        LOG.warn("restore {}: {}/{} not restored: {}", started.id(), entry.bucket(), entry.key(), e.toString());
                    }
                    restores.computeIfPresent(started.id(), (id, r) -> BackupManifest.RUNNING.equals(r.phase())
                        ? progress(started, BackupManifest.RUNNING, restored, bytes, failed, null, null) : r);
                });
            });
            writes.awaitAll();
            String phase = failed.get() == 0 ? BackupManifest.SUCCEEDED : BackupManifest.FAILED;
            String message = failed.get() == 0 ? null : failed.get() + " objects not restored; the first: " + firstFailure;
            restores.put(started.id(), progress(started, phase, restored, bytes, failed, clock.instant(), message));
            LOG.info("restore {} {}: {} objects, {} bytes, {} failed", started.id(), phase, restored, bytes, failed);
        } catch (IOException | RuntimeException e) {
            restores.put(started.id(), progress(started, BackupManifest.FAILED, restored, bytes, failed, clock.instant(),
                "cannot read the backup's snapshot: " + e.getMessage()));
            LOG.warn("restore {} failed", started.id(), e);
        }
    }

    private void restoreOne(BackupTarget target, SnapshotEntry entry, String into) throws IOException {
        try (InputStream blob = blobs.open(target, entry.hash()); StagedBlob staged = staging.stage(blob, Long.MAX_VALUE)) {
            if (!staged.hash().equals(entry.contentHash())) {
                throw new IllegalStateException("the backup's copy reads with SHA-256 " + staged.hash().hex() + ", not " + entry.hash()
                    + ": damaged, not restored");
            }
            // As the agent, for the object's owner: its quota counts the restored object, and a
            // private bucket gets back whose object it was.
            String owner = entry.owner() == null ? Caller.DEFAULT_OWNER : entry.owner();
            CallerContext.runAs(Caller.agent(owner), () -> objects.putStaged(new PutRequest(into, entry.key(), entry.contentType(),
                entry.size(), entry.userMetadata(), null, null, entry.tagsOrEmpty()), staged));
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static Restore progress(Restore r, String phase, AtomicLong objects, AtomicLong bytes, AtomicLong failed, Instant finished,
                                    String message) {
        return new Restore(r.id(), r.schedule(), r.backup(), r.backupSnapshotAt(), r.bucket(), r.targetBucket(), phase, r.startedAt(),
            finished == null ? null : finished.toString(), objects.get(), bytes.get(), failed.get(), message);
    }
}
