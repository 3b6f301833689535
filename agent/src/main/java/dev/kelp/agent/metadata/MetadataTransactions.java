package dev.kelp.agent.metadata;

import dev.kelp.agent.metadata.MetadataStore.BlobRef;
import dev.kelp.agent.metadata.MetadataStore.DeleteOutcome;
import dev.kelp.agent.metadata.MetadataStore.PutOutcome;
import dev.kelp.agent.object.ObjectRecord;
import dev.kelp.agent.object.ObjectVersion;
import dev.kelp.agent.object.RequestRefusedException;
import dev.kelp.agent.versions.RetentionPolicy;
import dev.kelp.agent.versions.RetentionPolicy.Noncurrent;
import dev.kelp.agent.versions.VersionIds;
import dev.kelp.agent.versions.VersioningConfig;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The multi-row changes of the metadata store, each one transaction. Rows are locked in one
 * order everywhere (the object's current-version row, then blob rows by hash, then the bucket's
 * usage row) so concurrent writers wait for each other instead of deadlocking. A lost race that
 * the database reports anyway (a key inserted meanwhile) rolls the whole transaction back;
 * {@link JdbcMetadataStore} runs it again.
 *
 * <p>Versions (kelp.versioning): with versioning on, a put keeps the version it replaces and a
 * delete leaves a delete marker; the key's earlier versions are then pruned by the retention
 * policy in the same transaction. Usage counts the bytes of every version kept (current and
 * earlier; a delete marker has none) and the objects whose current version is not a delete
 * marker. A blob's reference count is the number of versions that hold it.
 */
@Singleton
class MetadataTransactions {

    private static final Logger LOG = LoggerFactory.getLogger(MetadataTransactions.class);

    private final ObjectRepository objects;
    private final BlobRepository blobs;
    private final BucketUsageRepository usage;
    private final OwnerUsageRepository ownerUsage;
    private final AppliedJournalRepository applied;
    private final ObjectRows rows;
    private final VersioningConfig versioning;
    private final RetentionPolicy retention;
    private final MetadataDatabase database;
    private final NewKeyPut newKeyPut;

    MetadataTransactions(ObjectRepository objects, BlobRepository blobs, BucketUsageRepository usage,
                         OwnerUsageRepository ownerUsage, AppliedJournalRepository applied, ObjectRows rows,
                         VersioningConfig versioning, MetadataDatabase database, NewKeyPut newKeyPut) {
        this.database = database;
        this.newKeyPut = newKeyPut;
        this.ownerUsage = ownerUsage;
        this.objects = objects;
        this.blobs = blobs;
        this.usage = usage;
        this.applied = applied;
        this.rows = rows;
        this.versioning = versioning;
        this.retention = versioning.retention();
    }

    /** Earlier versions are kept at all: versioning on, and a policy that keeps some. */
    boolean keepsVersions() {
        return versioning.enabled() && !retention.keepsNone();
    }

    /**
     * {@code record} has been through {@link ObjectRows#storable}.
     *
     * @param mayRepeat whether this version may have been stored before (a replay, a retry
     *                  whose first outcome was unknown): then a second put of it is a no-op
     * @param limits    the quotas it must stay within, checked on the usage rows this transaction
     *                  holds locked: a refusal rolls everything back
     */
    @Transactional
    public PutOutcome put(ObjectRecord record, Instant now, boolean mayRepeat, WriteLimits limits) {
        ObjectVersionRow row = rows.toRow(record);
        Optional<ObjectVersionRow> already = mayRepeat
            ? objects.findByVersion(row.bucket(), row.objectKey(), row.version()) : Optional.empty();
        if (already.isPresent()) {
            // Applied before (a put journaled after a timeout that had in fact committed, or a
            // replay after a crash): the same version is not made twice.
            return new PutOutcome(rows.toRecord(already.get()), Optional.empty(), false);
        }
        ObjectVersionRow stored;
        // The one statement tried the pointer already: the loop below starts by locking it.
        boolean pointerTaken = false;
        if (inOneStatement(row, limits)) {
            var done = newKeyPut.run(row, ownerOf(row.owner()));
            stored = withId(row, done.versionId());
            if (done.current()) {
                // What the statement could not do (a row missing, or made by a concurrent writer
                // after its snapshot) is done here; such a late blob row comes after the usage row
                // in lock order, and a deadlock that may cause is retried like any other.
                boolean blobCreated = done.blobCreated();
                if (!done.referenced() && !done.blobCreated()) {
                    blobCreated = addReference(row.bucket(), row.hash(), row.size());
                }
                if (!done.usageAdded()) {
                    addUsage(row.bucket(), done.shard(), row.size(), 1);
                }
                if (!done.ownerUsageAdded()) {
                    addOwnerUsage(row.bucket(), ownerOf(row.owner()), done.shard(), row.size(), 1);
                }
                return new PutOutcome(rows.toRecord(stored), Optional.empty(), blobCreated);
            }
            // The key has a current version: replaced below, from the version row just made.
            pointerTaken = true;
        } else {
            stored = objects.save(row);
        }
        Optional<ObjectVersionRow> replaced = Optional.empty();
        boolean current = false;
        while (!current) {
            if (!pointerTaken && objects.insertCurrentIfAbsent(row.bucket(), row.objectKey(), stored.id()) == 1) {
                current = true;
            } else {
                pointerTaken = false;
                Optional<Long> previous = objects.findCurrentVersionIdForUpdate(row.bucket(), row.objectKey());
                if (previous.isPresent()) {
                    if (previous.get() > stored.id()) {
                        // A put that started after ours committed first: take a newer id, so version
                        // ids keep increasing per object in the order the versions became current.
                        objects.deleteById(stored.id());
                        stored = objects.save(row);
                    }
                    objects.updateCurrentVersionId(row.bucket(), row.objectKey(), stored.id());
                    replaced = objects.findById(previous.get());
                    current = true;
                }
                // else: deleted between our insert and our lock; insert again.
            }
        }

        Changes changes = new Changes(row.bucket(), limits);
        changes.reference(stored.hash(), stored.size(), +1);
        changes.bytes(stored.owner(), stored.size());
        changes.objects(stored.owner(), +1);
        if (replaced.isPresent() && !replaced.get().deleteMarker()) {
            changes.objects(replaced.get().owner(), -1);
        }
        if (replaced.isPresent()) {
            ObjectVersionRow old = replaced.get();
            if (keepsVersions()) {
                objects.updateReplacedAt(old.id(), now);
            } else {
                forget(old, changes);
            }
        }
        if (keepsVersions()) {
            prune(row.bucket(), row.objectKey(), now, changes);
        }
        boolean blobCreated = changes.apply(now);
        Optional<ObjectRecord> replacedRecord = replaced.filter(r -> !r.deleteMarker()).map(rows::toRecord);
        return new PutOutcome(rows.toRecord(stored), replacedRecord, blobCreated);
    }

    /**
     * Whether a put may go as one statement ({@link NewKeyPut}): on PostgreSQL, with no earlier
     * versions to keep or prune and no quota to check inside the transaction.
     */
    private boolean inOneStatement(ObjectVersionRow row, WriteLimits limits) {
        return !keepsVersions() && !limits.limitsBucket() && !limits.limitsOwner(ownerOf(row.owner())) && database.isPostgres();
    }

    private static ObjectVersionRow withId(ObjectVersionRow row, long id) {
        return new ObjectVersionRow(id, row.bucket(), row.objectKey(), row.hash(), row.size(), row.contentType(), row.userMetadata(),
            row.createdAt(), row.version(), row.deleteMarker(), row.replacedAt(), row.tags(), row.owner());
    }

    /** The version with its new tags; empty (nothing changed) when it does not exist or is a delete marker. */
    @Transactional
    public Optional<ObjectRecord> putTags(String bucket, String key, String version, Map<String, String> tags) {
        if (objects.updateTags(bucket, key, version, rows.tagsColumn(tags)) == 0) {
            return Optional.empty();
        }
        return objects.findByVersion(bucket, key, version).map(rows::toRecord);
    }

    @Transactional
    public DeleteOutcome delete(String bucket, String key, String markerVersion, Instant markerCreatedAt, Instant now) {
        return delete(bucket, key, markerVersion, markerCreatedAt, now, null);
    }

    /** @param expectedVersion delete only when this is still the current version; null: whatever is current */
    @Transactional
    public DeleteOutcome delete(String bucket, String key, String markerVersion, Instant markerCreatedAt, Instant now, String expectedVersion) {
        VersionIds.require(markerVersion);
        if (objects.findByVersion(bucket, key, markerVersion).isPresent()) {
            return DeleteOutcome.nothing();
        }
        Optional<Long> current = objects.findCurrentVersionIdForUpdate(bucket, key);
        if (current.isEmpty()) {
            return DeleteOutcome.nothing();
        }
        ObjectVersionRow row = objects.findById(current.get())
            .orElseThrow(() -> new IllegalStateException("current version " + current.get() + " of " + bucket + "/" + key + " has no row"));
        if (row.deleteMarker() || (expectedVersion != null && !expectedVersion.equals(row.version()))) {
            return DeleteOutcome.nothing();
        }
        Changes changes = new Changes(bucket);
        changes.objects(row.owner(), -1);
        Optional<String> marker = Optional.empty();
        if (keepsVersions()) {
            ObjectVersionRow stored = objects.save(ObjectVersionRow.marker(bucket, key, markerVersion, markerCreatedAt.truncatedTo(java.time.temporal.ChronoUnit.MICROS),
                row.owner()));
            objects.updateCurrentVersionId(bucket, key, stored.id());
            objects.updateReplacedAt(row.id(), now);
            marker = Optional.of(markerVersion);
            prune(bucket, key, now, changes);
        } else {
            objects.deleteCurrent(bucket, key);
            forget(row, changes);
        }
        changes.apply(now);
        return new DeleteOutcome(Optional.of(rows.toRecord(row)), marker);
    }

    /** Removes one version for good; when it was current, the newest earlier one becomes current. */
    @Transactional
    public Optional<ObjectVersion> deleteVersion(String bucket, String key, String version, Instant now) {
        Optional<Long> current = objects.findCurrentVersionIdForUpdate(bucket, key);
        Optional<ObjectVersionRow> found = objects.findByVersion(bucket, key, version);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        ObjectVersionRow row = found.get();
        Changes changes = new Changes(bucket);
        if (current.isPresent() && current.get().equals(row.id())) {
            List<ObjectVersionRow> earlier = objects.findNoncurrent(bucket, key);
            if (earlier.isEmpty()) {
                objects.deleteCurrent(bucket, key);
            } else {
                ObjectVersionRow next = earlier.getFirst();
                objects.updateCurrentVersionId(bucket, key, next.id());
                objects.clearReplacedAt(next.id());
                if (!next.deleteMarker()) {
                    changes.objects(next.owner(), +1);
                }
            }
            if (!row.deleteMarker()) {
                changes.objects(row.owner(), -1);
            }
        }
        forget(row, changes);
        changes.apply(now);
        return Optional.of(rows.toVersion(row));
    }

    /** Applies the retention policy to one key; how many versions went. */
    @Transactional
    public int prune(String bucket, String key, Instant now) {
        objects.findCurrentVersionIdForUpdate(bucket, key);
        Changes changes = new Changes(bucket);
        int removed = prune(bucket, key, now, changes);
        changes.apply(now);
        return removed;
    }

    /**
     * Deletes the blob's bytes and row while holding the row locked, if it still has no
     * reference. A failure of {@code deleteBytes} comes out as {@link BlobBytesNotDeleted} so the
     * caller does not mistake it for a database failure (both may be connection errors).
     */
    @Transactional
    public boolean reclaim(BlobRef blob, Runnable deleteBytes) {
        Optional<Long> references = blobs.findRefCountForUpdate(blob.bucket(), blob.hash().hex());
        if (references.isEmpty() || references.get() > 0) {
            return false;
        }
        try {
            deleteBytes.run();
        } catch (RuntimeException e) {
            throw new BlobBytesNotDeleted(e);
        }
        return blobs.deleteUnreferenced(blob.bucket(), blob.hash().hex()) == 1;
    }

    /** Applies a journaled write unless an earlier replay did; false when it was skipped. */
    @Transactional
    public boolean apply(JournalEntry entry, Instant now) {
        if (applied.insertIfAbsent(entry.id(), now) == 0) {
            return false;
        }
        switch (entry.operation()) {
            // Acknowledged while the database was away: replayed whatever the quotas say now.
            case PUT -> put(ObjectRows.storable(entry.record()), now, true, WriteLimits.NONE);
            // An entry journaled before versions existed has no marker id: it gets one now.
            case DELETE -> delete(entry.bucket(), entry.key(), entry.version() == null ? VersionIds.next() : entry.version(),
                Instant.parse(entry.journaledAt()), now);
            case TAGS -> {
                if (putTags(entry.bucket(), entry.key(), entry.version(), entry.tagsOrEmpty()).isEmpty()) {
                    // Acknowledged for a version that is gone by now (removed for good, or pruned, by
                    // another agent meanwhile): its tags went with it. Applied as a no-op, not retried.
                    LOG.warn("journaled tags of {}/{} version {} not applied: the version no longer exists", entry.bucket(),
                        entry.key(), entry.version());
                }
            }
        }
        return true;
    }

    /**
     * Removes the key's earlier versions that retention lets go; then a delete marker left with
     * no earlier version protects nothing and goes too (the key is gone).
     */
    private int prune(String bucket, String key, Instant now, Changes changes) {
        List<ObjectVersionRow> earlier = objects.findNoncurrent(bucket, key);
        List<ObjectVersionRow> expired = retention.expired(
            earlier.stream().map(r -> new Noncurrent<>(r, r.replacedAt())).toList(), now);
        expired.forEach(r -> forget(r, changes));
        int removed = expired.size();
        if (earlier.size() == expired.size()) {
            Optional<ObjectVersionRow> latest = objects.findLatest(bucket, key);
            if (latest.isPresent() && latest.get().deleteMarker()) {
                objects.deleteCurrent(bucket, key);
                forget(latest.get(), changes);
                removed++;
            }
        }
        return removed;
    }

    /** Deletes a version row that is not (or no longer) current, with its share of blob and usage. */
    private void forget(ObjectVersionRow row, Changes changes) {
        objects.deleteById(row.id());
        if (!row.deleteMarker()) {
            changes.reference(row.hash(), row.size(), -1);
            changes.bytes(row.owner(), -row.size());
        }
    }

    /**
     * What one transaction does to blob references and usage, applied at its end in lock order
     * (blobs by hash, then the bucket's usage, then its owners' by name), a put and a prune of the
     * same content cancelling out.
     */
    private final class Changes {
        final String bucket;
        final WriteLimits limits;
        final Map<String, long[]> references = new TreeMap<>();
        /** Per owner: bytes, objects. */
        final Map<String, long[]> owners = new TreeMap<>();
        long bytes;
        long objects;

        Changes(String bucket) {
            this(bucket, WriteLimits.NONE);
        }

        Changes(String bucket, WriteLimits limits) {
            this.bucket = bucket;
            this.limits = limits;
        }

        void bytes(String owner, long delta) {
            bytes += delta;
            owners.computeIfAbsent(ownerOf(owner), o -> new long[2])[0] += delta;
        }

        void objects(String owner, long delta) {
            objects += delta;
            owners.computeIfAbsent(ownerOf(owner), o -> new long[2])[1] += delta;
        }

        void reference(String hash, long size, int delta) {
            references.computeIfAbsent(hash, h -> new long[] {0, size})[0] += delta;
        }

        /** True when a blob row had to be created for a new reference (its bytes may be gone). */
        boolean apply(Instant now) {
            boolean created = false;
            for (var e : references.entrySet()) {
                long delta = e.getValue()[0];
                for (long i = 0; i < delta; i++) {
                    created |= addReference(bucket, e.getKey(), e.getValue()[1]);
                }
                for (long i = 0; i > delta; i--) {
                    dropReference(bucket, e.getKey(), now);
                }
            }
            if (bytes != 0 || objects != 0) {
                addUsage(bucket, UsageShards.forWrite(limits.limitsBucket()), bytes, objects);
                if (limits.limitsBucket()) {
                    holdBucketQuota(bucket, bytes, objects, limits);
                }
            }
            for (var e : owners.entrySet()) {
                long ownerBytes = e.getValue()[0];
                long ownerObjects = e.getValue()[1];
                if (ownerBytes != 0 || ownerObjects != 0) {
                    boolean limited = limits.limitsOwner(e.getKey()) && (ownerBytes > 0 || ownerObjects > 0);
                    if (limited) {
                        ownerUsage.lockOwner(e.getKey(), limits.ownerBuckets());
                    }
                    addOwnerUsage(bucket, e.getKey(), UsageShards.forWrite(limited), ownerBytes, ownerObjects);
                    if (limited) {
                        holdOwnerQuota(e.getKey(), ownerBytes, ownerObjects, limits);
                    }
                }
            }
            return created;
        }
    }

    private boolean addReference(String bucket, String hash, long size) {
        while (true) {
            if (blobs.updateAddReference(bucket, hash) == 1) {
                return false;
            }
            if (blobs.insertReferencedIfAbsent(bucket, hash, size) == 1) {
                return true;
            }
        }
    }

    private void dropReference(String bucket, String hash, Instant now) {
        if (blobs.updateDropReference(bucket, hash, now) == 0) {
            // Should not happen: every version holds a reference. Leave the counts as they are
            // rather than fail writes of this object forever.
            LOG.warn("blob {}/{} had no reference left to drop; its reference count was already off", bucket, hash);
        }
    }

    private void addUsage(String bucket, int shard, long bytes, long count) {
        while (true) {
            if (usage.updateAdd(bucket, shard, bytes, count) == 1) {
                return;
            }
            if (usage.insertIfAbsent(bucket, shard, bytes, count) == 1) {
                return;
            }
        }
    }

    /**
     * Refuses the write when it grew the bucket past its quota. The usage row every write checked
     * against a quota adds to ({@link UsageShards#CHECKED}) was just updated by this transaction,
     * so no other such writer can change the sum before this one ends: the figure read here is
     * exact, and two writers can never both take the last room. (A write not checked in its
     * transaction, on another shard, is one of a bucket without a quota, or a delete.)
     */
    private void holdBucketQuota(String bucket, long addedBytes, long addedObjects, WriteLimits limits) {
        BucketUsageRow now = usage.findById(bucket).orElseThrow(() -> new IllegalStateException("no usage row for " + bucket + " after updating it"));
        if (limits.bucketMaxBytes() > 0 && addedBytes > 0 && now.bytes() > limits.bucketMaxBytes()) {
            throw RequestRefusedException.quota(bucket, now.bytes() + " bytes would exceed the limit of " + limits.bucketMaxBytes());
        }
        if (limits.bucketMaxObjects() > 0 && addedObjects > 0 && now.objects() > limits.bucketMaxObjects()) {
            throw RequestRefusedException.quota(bucket, now.objects() + " objects would exceed the limit of " + limits.bucketMaxObjects());
        }
    }

    /** As {@link #holdBucketQuota}, for the writing owner across buckets (its rows are locked: {@code lockOwner}). */
    private void holdOwnerQuota(String owner, long addedBytes, long addedObjects, WriteLimits limits) {
        var quota = new dev.kelp.agent.access.OwnerQuota(limits.ownerMaxBytes(), limits.ownerMaxObjects());
        String exceeded = quota.exceededBy(owner, addedBytes > 0 ? ownerUsage.totalBytes(owner, limits.ownerBuckets()) : 0,
            addedObjects > 0 ? ownerUsage.totalObjects(owner, limits.ownerBuckets()) : 0);
        if (exceeded != null) {
            throw RequestRefusedException.ownerQuota(owner, exceeded);
        }
    }

    private void addOwnerUsage(String bucket, String owner, int shard, long bytes, long count) {
        while (true) {
            if (ownerUsage.updateAdd(bucket, owner, shard, bytes, count) == 1) {
                return;
            }
            if (ownerUsage.insertIfAbsent(bucket, owner, shard, bytes, count) == 1) {
                return;
            }
        }
    }

    /** Versions written before owners existed are the default owner's. */
    private static String ownerOf(String owner) {
        return owner == null ? dev.kelp.agent.access.Caller.DEFAULT_OWNER : owner;
    }

    /** Carries the exception of a reclaim's {@code deleteBytes} out of the rolled-back transaction. */
    static final class BlobBytesNotDeleted extends RuntimeException {

        BlobBytesNotDeleted(RuntimeException cause) {
            super(cause);
        }

        RuntimeException original() {
            return (RuntimeException) getCause();
        }
    }
}
