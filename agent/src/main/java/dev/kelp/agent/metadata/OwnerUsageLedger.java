package dev.kelp.agent.metadata;

import dev.kelp.agent.metadata.MetadataStore.Usage;
import dev.kelp.agent.object.ObjectRecord;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What this agent knows of each owner's usage without asking the database: the last figure the
 * database gave, plus every write this agent made since. Read while the database is unreachable
 * (LOCAL_ONLY), so a per-owner quota still holds then (docs/access-control.md). Generous by
 * design: a write whose replaced object the agent cannot see adds without taking away, so the
 * quota may refuse early during an outage but never lets an owner past its limit through this
 * agent. In memory: an agent that starts while the database is down knows nothing here.
 */
final class OwnerUsageLedger {

    private final ConcurrentHashMap<String, Usage> known = new ConcurrentHashMap<>();

    /** The database's figure, as just read. */
    void read(String bucket, String owner, Usage usage) {
        known.put(id(bucket, owner), usage);
    }

    Optional<Usage> get(String bucket, String owner) {
        return Optional.ofNullable(known.get(id(bucket, owner)));
    }

    /** A put acknowledged: {@code replaced} is the object it replaced as far as the agent could tell. */
    void put(ObjectRecord stored, Optional<ObjectRecord> replaced, boolean keepsVersions) {
        add(stored.bucket(), stored.ownerOrDefault(), stored.size(), 1);
        replaced.ifPresent(r -> add(r.bucket(), r.ownerOrDefault(), keepsVersions ? 0 : -r.size(), -1));
    }

    /** A delete acknowledged, of {@code removed} if the agent knew it. */
    void delete(Optional<ObjectRecord> removed, boolean keepsVersions) {
        removed.ifPresent(r -> add(r.bucket(), r.ownerOrDefault(), keepsVersions ? 0 : -r.size(), -1));
    }

    private void add(String bucket, String owner, long bytes, long objects) {
        known.computeIfPresent(id(bucket, owner), (k, u) -> new Usage(Math.max(0, u.bytes() + bytes), Math.max(0, u.objects() + objects)));
    }

    private static String id(String bucket, String owner) {
        return bucket + '\0' + owner;
    }
}
