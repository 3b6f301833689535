package dev.kelp.agent.metadata;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.kelp.agent.object.ObjectRecord;
import java.util.Optional;

/**
 * The records this agent last saw the database answer, or wrote itself, for reads while the
 * database is unreachable (LOCAL_ONLY): an app reads back what it wrote before the outage,
 * not a 503. Bounded by count, least recently used first; in memory only, so a restarted
 * agent in LOCAL_ONLY knows only its journal. Another agent of the policy may have changed a
 * key since: in LOCAL_ONLY a read is this agent's last word on it, which docs/architecture.md
 * states.
 */
final class LastKnownRecords {

    private final Cache<String, ObjectRecord> records;

    LastKnownRecords(long maxRecords) {
        this.records = Caffeine.newBuilder().maximumSize(maxRecords).build();
    }

    void remember(ObjectRecord record) {
        records.put(id(record.bucket(), record.key()), record);
    }

    void forget(String bucket, String key) {
        records.invalidate(id(bucket, key));
    }

    /** What the database last said about the key: empty if deleted since or never seen. */
    Optional<ObjectRecord> get(String bucket, String key) {
        return Optional.ofNullable(records.getIfPresent(id(bucket, key)));
    }

    /** As the database answered a lookup of the key: the record, or that there is none. */
    void observe(String bucket, String key, Optional<ObjectRecord> answer) {
        answer.ifPresentOrElse(this::remember, () -> forget(bucket, key));
    }

    private static String id(String bucket, String key) {
        return bucket + '\0' + key;
    }
}
