package dev.kelp.agent.metadata;

import dev.kelp.agent.metadata.MetadataStore.BlobRef;
import dev.kelp.agent.metadata.MetadataStore.PutOutcome;
import dev.kelp.agent.object.ObjectRecord;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The multi-row changes of the metadata store, each one transaction. Rows are locked in one
 * order everywhere (the object's current-version row, then blob rows by hash, then the bucket's
 * usage row) so concurrent writers wait for each other instead of deadlocking. A lost race that
 * the database reports anyway (a key inserted meanwhile) rolls the whole transaction back;
 * {@link JdbcMetadataStore} runs it again.
 */
@Singleton
class MetadataTransactions {

    private static final Logger LOG = LoggerFactory.getLogger(MetadataTransactions.class);

    private final ObjectRepository objects;
    private final BlobRepository blobs;
    private final BucketUsageRepository usage;
    private final AppliedJournalRepository applied;
    private final ObjectRows rows;

    MetadataTransactions(ObjectRepository objects, BlobRepository blobs, BucketUsageRepository usage,
                         AppliedJournalRepository applied, ObjectRows rows) {
        this.objects = objects;
        this.blobs = blobs;
        this.usage = usage;
        this.applied = applied;
        this.rows = rows;
    }

    /** {@code record} has been through {@link ObjectRows#storable}. */
    @Transactional
    public PutOutcome put(ObjectRecord record, Instant now) {
        ObjectVersionRow row = rows.toRow(record);
        ObjectVersionRow stored = objects.save(row);
        Optional<ObjectVersionRow> replaced = Optional.empty();
        boolean current = false;
        while (!current) {
            if (objects.insertCurrentIfAbsent(row.bucket(), row.objectKey(), stored.id()) == 1) {
                current = true;
            } else {
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

        String newHash = stored.hash();
        String oldHash = replaced.map(ObjectVersionRow::hash).orElse(null);
        boolean blobCreated = false;
        if (oldHash == null) {
            blobCreated = addReference(row.bucket(), newHash, row.size());
        } else if (!oldHash.equals(newHash)) {
            if (oldHash.compareTo(newHash) < 0) {
                dropReference(row.bucket(), oldHash, now);
                blobCreated = addReference(row.bucket(), newHash, row.size());
            } else {
                blobCreated = addReference(row.bucket(), newHash, row.size());
                dropReference(row.bucket(), oldHash, now);
            }
        }
        replaced.ifPresent(old -> objects.deleteById(old.id()));
        long bytesDelta = stored.size() - replaced.map(ObjectVersionRow::size).orElse(0L);
        addUsage(row.bucket(), bytesDelta, replaced.isPresent() ? 0 : 1);
        return new PutOutcome(rows.toRecord(stored), replaced.map(rows::toRecord), blobCreated);
    }

    @Transactional
    public Optional<ObjectRecord> delete(String bucket, String key, Instant now) {
        Optional<Long> current = objects.findCurrentVersionIdForUpdate(bucket, key);
        if (current.isEmpty()) {
            return Optional.empty();
        }
        ObjectVersionRow row = objects.findById(current.get())
            .orElseThrow(() -> new IllegalStateException("current version " + current.get() + " of " + bucket + "/" + key + " has no row"));
        objects.deleteCurrent(bucket, key);
        objects.deleteById(row.id());
        dropReference(bucket, row.hash(), now);
        addUsage(bucket, -row.size(), -1);
        return Optional.of(rows.toRecord(row));
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
            case PUT -> put(ObjectRows.storable(entry.record()), now);
            case DELETE -> delete(entry.bucket(), entry.key(), now);
        }
        return true;
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

    private void addUsage(String bucket, long bytes, long count) {
        while (true) {
            if (usage.updateAdd(bucket, bytes, count) == 1) {
                return;
            }
            if (usage.insertIfAbsent(bucket, bytes, count) == 1) {
                return;
            }
        }
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
