package dev.kelp.agent.tiering;

import dev.kelp.agent.metadata.TierMetadata.ObjectKey;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The reads of objects since the last flush, in memory: a read costs one map update, never a
 * database write. {@link #drain} hands the batch to the flusher and starts a new one; a batch
 * the database refused is {@link #restore}d so its reads are not forgotten. Only the latest
 * read of each object is kept, so the batch is bounded by distinct objects, not by reads.
 */
final class AccessLog {

    private final ConcurrentHashMap<ObjectKey, Instant> pending = new ConcurrentHashMap<>();
    private final int maxPending;

    AccessLog(int maxPending) {
        this.maxPending = maxPending;
    }

    /** Records a read at {@code at}; true when the batch has reached its bound and should be flushed early. */
    boolean record(String bucket, String key, Instant at) {
        pending.merge(new ObjectKey(bucket, key), at, (a, b) -> a.isAfter(b) ? a : b);
        return pending.size() >= maxPending;
    }

    /**
     * The reads recorded since the last drain. Each entry leaves the log only if no later read
     * replaced it meanwhile (that one stays for the next batch), so a read racing a drain is
     * never lost and no lock is taken on the read path.
     */
    synchronized Map<ObjectKey, Instant> drain() {
        var batch = new HashMap<>(pending);
        batch.forEach(pending::remove);
        return batch;
    }

    /**
     * Puts back a batch that could not be written, keeping the later read where the new batch
     * has one too; past the bound the rest is dropped (those objects only look older than they
     * are, so they may turn cold a little early; never lost).
     */
    synchronized int restore(Map<ObjectKey, Instant> batch) {
        int dropped = 0;
        for (var e : batch.entrySet()) {
            if (pending.size() >= maxPending && !pending.containsKey(e.getKey())) {
                dropped++;
                continue;
            }
            pending.merge(e.getKey(), e.getValue(), (a, b) -> a.isAfter(b) ? a : b);
        }
        return dropped;
    }

    int size() {
        return pending.size();
    }
}
