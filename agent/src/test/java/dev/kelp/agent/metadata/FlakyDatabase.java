package dev.kelp.agent.metadata;

import dev.kelp.agent.object.ContentHash;
import dev.kelp.agent.object.ObjectRecord;
import dev.kelp.agent.object.ObjectVersion;
import java.net.ConnectException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The real JDBC store (on H2) behind a switch: while {@link #down} is set every call fails as a
 * call to an unreachable PostgreSQL does. For unit tests of the journal; the real outage is
 * {@code MetadataOutageIT}.
 */
final class FlakyDatabase implements ReplayTarget {

    private final ReplayTarget real;
    volatile boolean down;
    final AtomicInteger applied = new AtomicInteger();
    final AtomicInteger skipped = new AtomicInteger();

    FlakyDatabase(ReplayTarget real) {
        this.real = real;
    }

    private <T> T call(Supplier<T> work) {
        if (down) {
            throw new MetadataUnavailableException("test: metadata database unreachable: ConnectException: Connection refused",
                new ConnectException("Connection refused"));
        }
        return work.get();
    }

    @Override
    public Optional<ObjectRecord> find(String bucket, String key) {
        return call(() -> real.find(bucket, key));
    }

    @Override
    public PutOutcome put(ObjectRecord record, WriteLimits limits) {
        return call(() -> real.put(record, limits));
    }

    @Override
    public void offerForReclaim(String bucket, dev.kelp.agent.object.ContentHash hash, long size) {
        call(() -> {
            real.offerForReclaim(bucket, hash, size);
            return null;
        });
    }

    @Override
    public Optional<ObjectRecord> putTags(String bucket, String key, String version, Map<String, String> tags) {
        return call(() -> real.putTags(bucket, key, version, tags));
    }

    @Override
    public DeleteOutcome delete(String bucket, String key, String markerVersion) {
        return call(() -> real.delete(bucket, key, markerVersion));
    }

    @Override
    public DeleteOutcome deleteIfCurrent(String bucket, String key, String expectedVersion, String markerVersion) {
        return call(() -> real.deleteIfCurrent(bucket, key, expectedVersion, markerVersion));
    }

    @Override
    public Optional<ObjectVersion> findLatest(String bucket, String key) {
        return call(() -> real.findLatest(bucket, key));
    }

    @Override
    public Optional<ObjectVersion> findVersion(String bucket, String key, String version) {
        return call(() -> real.findVersion(bucket, key, version));
    }

    @Override
    public List<ObjectVersion> listVersions(String bucket, String prefix, VersionCursor after, int limit) {
        return call(() -> real.listVersions(bucket, prefix, after, limit));
    }

    @Override
    public List<ObjectVersion> listVersionsOfKey(String bucket, String key, VersionCursor after, int limit) {
        return call(() -> real.listVersionsOfKey(bucket, key, after, limit));
    }

    @Override
    public Optional<ObjectVersion> deleteVersion(String bucket, String key, String version) {
        return call(() -> real.deleteVersion(bucket, key, version));
    }

    @Override
    public int sweepExpired(Instant now, int limit) {
        return call(() -> real.sweepExpired(now, limit));
    }

    @Override
    public List<ObjectRecord> list(String bucket, String prefix, String startAfter, int limit, String owner) {
        return call(() -> real.list(bucket, prefix, startAfter, limit, owner));
    }

    @Override
    public java.util.OptionalLong blobReferences(String bucket, ContentHash hash) {
        return call(() -> real.blobReferences(bucket, hash));
    }

    @Override
    public Usage usage(String bucket) {
        return call(() -> real.usage(bucket));
    }

    @Override
    public Usage ownerUsage(String bucket, String owner) {
        return call(() -> real.ownerUsage(bucket, owner));
    }

    @Override
    public List<BlobRef> unreferencedBlobs(int limit) {
        return call(() -> real.unreferencedBlobs(limit));
    }

    @Override
    public List<BlobRef> unreferencedBlobs(java.time.Instant before, int limit) {
        return call(() -> real.unreferencedBlobs(before, limit));
    }

    @Override
    public boolean reclaim(BlobRef blob, Runnable deleteBytes) {
        return call(() -> real.reclaim(blob, deleteBytes));
    }

    @Override
    public void ping() {
        call(() -> {
            real.ping();
            return null;
        });
    }

    @Override
    public boolean apply(JournalEntry entry) {
        boolean done = call(() -> real.apply(entry));
        (done ? applied : skipped).incrementAndGet();
        return done;
    }

    @Override
    public int forgetAppliedBefore(Instant before) {
        return call(() -> real.forgetAppliedBefore(before));
    }
}
