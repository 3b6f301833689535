package dev.kelp.agent.access;

/**
 * What one owner may hold across the policy's buckets: bytes of the versions it wrote that are kept,
 * and objects whose current version it wrote. 0: unlimited.
 */
public record OwnerQuota(long maxBytes, long maxObjects) {

    public static final OwnerQuota UNLIMITED = new OwnerQuota(0, 0);

    public OwnerQuota {
        if (maxBytes < 0 || maxObjects < 0) {
            throw new IllegalArgumentException("a quota cannot be negative: maxBytes " + maxBytes + ", maxObjects " + maxObjects);
        }
    }

    public boolean unlimited() {
        return maxBytes == 0 && maxObjects == 0;
    }

    /**
     * Why a write that brings the owner to {@code bytes} and {@code objects} is refused; null when
     * it fits.
     */
    public String exceededBy(String owner, long bytes, long objects) {
        if (maxBytes > 0 && bytes > maxBytes) {
            return "owner " + owner + " would hold " + bytes + " bytes, over its limit of " + maxBytes + " bytes";
        }
        if (maxObjects > 0 && objects > maxObjects) {
            return "owner " + owner + " would hold " + objects + " objects, over its limit of " + maxObjects + " objects";
        }
        return null;
    }
}
