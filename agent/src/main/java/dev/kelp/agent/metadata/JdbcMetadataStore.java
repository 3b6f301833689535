package dev.kelp.agent.metadata;

import dev.kelp.agent.object.ContentHash;
import dev.kelp.agent.object.ObjectKeys;
import dev.kelp.agent.object.ObjectRecord;
import dev.kelp.agent.object.ObjectVersion;
import dev.kelp.agent.versions.VersionIds;
import dev.kelp.agent.versions.VersioningConfig;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * The metadata store on a JDBC database: PostgreSQL, or embedded H2 when none is configured.
 * Each call brings the schema up to date first (once), runs again when it lost a race to a
 * concurrent transaction, and turns every sign of an unreachable database into
 * {@link MetadataUnavailableException}.
 */
@Singleton
class JdbcMetadataStore implements ReplayTarget {

    /**
     * Writers of one key wait on its row lock rather than fail (none retried in the sixteen-writer
     * tests on PostgreSQL and H2); this bounds the rare race a database reports as an error.
     */
    private static final int MAX_ATTEMPTS = 20;
    /** Extra waits of {@code connection-timeout} each for a connection while all are busy. */
    static final int MAX_BUSY_WAITS = 4;

    private final MetadataDatabase database;
    private final MetadataTransactions transactions;
    private final ObjectRepository objects;
    private final BlobRepository blobs;
    private final BucketUsageRepository usage;
    private final OwnerUsageRepository ownerUsage;
    private final AppliedJournalRepository applied;
    private final ObjectRows rows;
    private final VersioningConfig versioning;
    private final Clock clock = Clock.systemUTC();

    JdbcMetadataStore(MetadataDatabase database, MetadataTransactions transactions, ObjectRepository objects,
                      BlobRepository blobs, BucketUsageRepository usage, OwnerUsageRepository ownerUsage,
                      AppliedJournalRepository applied, ObjectRows rows, VersioningConfig versioning) {
        this.ownerUsage = ownerUsage;
        this.versioning = versioning;
        this.database = database;
        this.transactions = transactions;
        this.objects = objects;
        this.blobs = blobs;
        this.usage = usage;
        this.applied = applied;
        this.rows = rows;
    }

    @Override
    public Optional<ObjectRecord> find(String bucket, String key) {
        return run("find", () -> objects.findCurrent(bucket, key).map(rows::toRecord));
    }

    @Override
    public PutOutcome put(ObjectRecord record, WriteLimits limits) {
        ObjectRecord storable = ObjectRows.storable(record);
        return run("put", () -> transactions.put(storable, clock.instant(), true, limits));
    }

    @Override
    public PutOutcome putNew(ObjectRecord record, WriteLimits limits) {
        ObjectRecord storable = ObjectRows.storable(record);
        // A retry after a serialization failure is safe too: that attempt rolled back.
        return run("put", () -> transactions.put(storable, clock.instant(), false, limits));
    }

    @Override
    public void offerForReclaim(String bucket, ContentHash hash, long size) {
        run("offerForReclaim", () -> blobs.insertUnreferencedIfAbsent(bucket, hash.hex(), size, clock.instant()));
    }

    @Override
    public Optional<ObjectRecord> putTags(String bucket, String key, String version, Map<String, String> tags) {
        ObjectKeys.requireValidBucket(bucket);
        ObjectKeys.requireValidKey(key);
        VersionIds.require(version);
        return run("putTags", () -> transactions.putTags(bucket, key, version, tags));
    }

    @Override
    public DeleteOutcome delete(String bucket, String key, String markerVersion) {
        ObjectKeys.requireValidBucket(bucket);
        ObjectKeys.requireValidKey(key);
        VersionIds.require(markerVersion);
        return run("delete", () -> transactions.delete(bucket, key, markerVersion, clock.instant(), clock.instant()));
    }

    @Override
    public DeleteOutcome deleteIfCurrent(String bucket, String key, String expectedVersion, String markerVersion) {
        ObjectKeys.requireValidBucket(bucket);
        ObjectKeys.requireValidKey(key);
        VersionIds.require(markerVersion);
        return run("delete", () -> transactions.delete(bucket, key, markerVersion, clock.instant(), clock.instant(), expectedVersion));
    }

    @Override
    public Optional<ObjectVersion> findLatest(String bucket, String key) {
        return run("findLatest", () -> objects.findLatest(bucket, key).map(rows::toVersion));
    }

    @Override
    public Optional<ObjectVersion> findVersion(String bucket, String key, String version) {
        return run("findVersion", () -> objects.findByVersion(bucket, key, version).map(rows::toVersion));
    }

    @Override
    public List<ObjectVersion> listVersions(String bucket, String prefix, VersionCursor after, int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative: " + limit);
        }
        if (limit == 0) {
            return List.of();
        }
        String pattern = likePrefix(prefix == null ? "" : prefix);
        String afterKey = after == null ? "" : after.key();
        // Within the cursor's key, only versions older than the cursor's; sequence 0 means none of that key.
        long afterId = after == null || after.sequence() <= 0 ? 0 : after.sequence();
        return run("listVersions", () -> objects.findVersionPage(bucket, pattern, afterKey, afterId, limit).stream()
            .map(rows::toVersion).toList());
    }

    @Override
    public List<ObjectVersion> listVersionsOfKey(String bucket, String key, VersionCursor after, int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative: " + limit);
        }
        if (limit == 0) {
            return List.of();
        }
        long before = after == null ? Long.MAX_VALUE : after.sequence();
        return run("listVersionsOfKey", () -> objects.findVersionsOfKey(bucket, key, before, limit).stream()
            .map(rows::toVersion).toList());
    }

    @Override
    public Optional<ObjectVersion> deleteVersion(String bucket, String key, String version) {
        ObjectKeys.requireValidBucket(bucket);
        ObjectKeys.requireValidKey(key);
        VersionIds.require(version);
        return run("deleteVersion", () -> transactions.deleteVersion(bucket, key, version, clock.instant()));
    }

    @Override
    public int sweepExpired(Instant now, int limit) {
        if (!transactions.keepsVersions() || versioning.keepForDuration() == null || limit <= 0) {
            return 0;
        }
        Instant cutoff = now.minus(versioning.keepForDuration());
        List<ObjectVersionRow> due = run("sweepExpired", () -> objects.findReplacedBefore(cutoff, limit));
        // One transaction per key, as a write of that key would prune it.
        var keys = new java.util.LinkedHashSet<java.util.Map.Entry<String, String>>();
        due.forEach(r -> keys.add(java.util.Map.entry(r.bucket(), r.objectKey())));
        int removed = 0;
        for (var k : keys) {
            removed += run("sweepExpired", () -> transactions.prune(k.getKey(), k.getValue(), now));
        }
        return removed;
    }

    @Override
    public List<ObjectRecord> list(String bucket, String prefix, String startAfter, int limit, String owner) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative: " + limit);
        }
        if (limit == 0) {
            return List.of();
        }
        String pattern = likePrefix(prefix == null ? "" : prefix);
        String after = startAfter == null ? "" : startAfter;
        return run("list", () -> (owner == null ? objects.findCurrentPage(bucket, pattern, after, limit)
            : objects.findCurrentPageOfOwner(bucket, pattern, after, owner, limit)).stream().map(rows::toRecord).toList());
    }

    @Override
    public OptionalLong blobReferences(String bucket, ContentHash hash) {
        return run("blobReferences", () -> blobs.findRefCount(bucket, hash.hex()).map(OptionalLong::of).orElse(OptionalLong.empty()));
    }

    @Override
    public Usage usage(String bucket) {
        return run("usage", () -> usage.findById(bucket).map(u -> new Usage(u.bytes(), u.objects())).orElse(new Usage(0, 0)));
    }

    @Override
    public Usage ownerUsage(String bucket, String owner) {
        return run("ownerUsage", () -> ownerUsage.find(bucket, owner).map(u -> new Usage(u.bytes(), u.objects())).orElse(new Usage(0, 0)));
    }

    @Override
    public List<BlobRef> unreferencedBlobs(int limit) {
        if (limit <= 0) {
            return List.of();
        }
        return run("unreferencedBlobs", () -> blobs.findUnreferenced(limit).stream()
            .map(b -> new BlobRef(b.id().bucket(), new ContentHash(b.id().hash()), b.size()))
            .toList());
    }

    @Override
    public List<BlobRef> unreferencedBlobs(Instant before, int limit) {
        if (limit <= 0) {
            return List.of();
        }
        return run("unreferencedBlobs", () -> blobs.findUnreferencedBefore(before, limit).stream()
            .map(b -> new BlobRef(b.id().bucket(), new ContentHash(b.id().hash()), b.size()))
            .toList());
    }

    @Override
    public boolean reclaim(BlobRef blob, Runnable deleteBytes) {
        Objects.requireNonNull(deleteBytes, "deleteBytes");
        ObjectKeys.requireValidBucket(blob.bucket());
        return run("reclaim", () -> transactions.reclaim(blob, deleteBytes));
    }

    @Override
    public boolean apply(JournalEntry entry) {
        return run("replay", () -> transactions.apply(entry, clock.instant()));
    }

    @Override
    public int forgetAppliedBefore(Instant before) {
        return run("forgetApplied", () -> applied.deleteAppliedBefore(before));
    }

    @Override
    public void ping() {
        run("ping", () -> {
            database.ping();
            return null;
        });
    }

    private <T> T run(String operation, Supplier<T> work) {
        int busyWaits = 0;
        for (int attempt = 1; ; attempt++) {
            try {
                database.ensureMigrated();
                return work.get();
            } catch (MetadataTransactions.BlobBytesNotDeleted e) {
                throw e.original();
            } catch (MetadataUnavailableException e) {
                throw e;
            } catch (RuntimeException e) {
                if (DatabaseFailures.isPoolBusy(e) && busyWaits++ < MAX_BUSY_WAITS) {
                    // A burst of writers holds every connection: wait in line again rather than take
                    // a full pool for an outage and send the agent to LOCAL_ONLY. A database that
                    // hangs with every connection still gets there, a few waits later.
                    continue;
                }
                if (DatabaseFailures.isUnavailable(e)) {
                    throw new MetadataUnavailableException(operation + ": metadata database unreachable: " + DatabaseFailures.rootMessage(e), e);
                }
                if (attempt >= MAX_ATTEMPTS || !DatabaseFailures.isRetryable(e)) {
                    throw e;
                }
                backOff(attempt);
            }
        }
    }

    private static void backOff(int attempt) {
        try {
            // Jittered, so writers that collided once do not collide again in lockstep.
            Thread.sleep(ThreadLocalRandom.current().nextLong(1, 5L * attempt + 2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while retrying a metadata transaction", e);
        }
    }

    /** A LIKE pattern matching keys that start with {@code prefix}, '!' escaping LIKE's own characters. */
    static String likePrefix(String prefix) {
        StringBuilder pattern = new StringBuilder(prefix.length() + 1);
        for (int i = 0; i < prefix.length(); i++) {
            char c = prefix.charAt(i);
            if (c == '!' || c == '%' || c == '_') {
                pattern.append('!');
            }
            pattern.append(c);
        }
        return pattern.append('%').toString();
    }
}
