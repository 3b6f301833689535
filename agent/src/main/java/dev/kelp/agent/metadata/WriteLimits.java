package dev.kelp.agent.metadata;

import java.util.List;

/**
 * The quotas a write must stay within, checked inside the transaction that makes it, so that
 * concurrent writers cannot all pass a check made before any of them committed: the bucket's
 * ({@code kelp.storage.quota-*}) and the writing owner's across the policy's buckets
 * (docs/access-control.md). 0: no limit. A journaled write replayed after an outage is not
 * checked again: it was acknowledged.
 *
 * @param owner        the owner the write counts against; null for none
 * @param ownerBuckets the buckets the owner's quota spans: the policy's
 */
public record WriteLimits(long bucketMaxBytes, long bucketMaxObjects, String owner, long ownerMaxBytes, long ownerMaxObjects,
                          List<String> ownerBuckets) {

    public static final WriteLimits NONE = new WriteLimits(0, 0, null, 0, 0, List.of());

    public WriteLimits {
        ownerBuckets = List.copyOf(ownerBuckets);
    }

    boolean limitsBucket() {
        return bucketMaxBytes > 0 || bucketMaxObjects > 0;
    }

    boolean limitsOwner(String candidate) {
        return owner != null && owner.equals(candidate) && (ownerMaxBytes > 0 || ownerMaxObjects > 0) && !ownerBuckets.isEmpty();
    }
}
