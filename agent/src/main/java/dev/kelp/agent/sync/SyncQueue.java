package dev.kelp.agent.sync;

import dev.kelp.agent.object.ContentHash;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Blobs written to the fallback volume that still have to reach SeaweedFS, in the order they
 * were written. Lives on the fallback volume, so it survives agent restarts.
 */
public interface SyncQueue {

    /** Adds an entry; it is fsync'd when this returns, so it can be part of an acknowledgement. */
    SyncEntry enqueue(String bucket, ContentHash hash, long size);

    /** Up to {@code limit} entries not yet completed, oldest first. */
    default List<SyncEntry> oldest(int limit) {
        return after(0, limit);
    }

    /** Up to {@code limit} entries not yet completed whose sequence is above {@code sequence}, oldest first. */
    List<SyncEntry> after(long sequence, int limit);

    /**
     * Removes an entry once its blob is verified on SeaweedFS and released; completing twice is a
     * no-op. The removal need not survive a crash: the caller makes its blob's release durable
     * first, and an entry whose blob is gone from the fallback volume is completed on sight.
     */
    void complete(SyncEntry entry);

    Pending pending();

    record SyncEntry(long sequence, String bucket, ContentHash hash, long size, Instant enqueuedAt) {
    }

    /** What the agent reports as "pending sync"; oldestAge is zero when nothing is pending. */
    record Pending(long objects, long bytes, Duration oldestAge) {
    }
}
