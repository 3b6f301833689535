package dev.kelp.agent.versions;

import io.micronaut.core.annotation.Nullable;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Which earlier (noncurrent) versions of one key go: those beyond the newest {@code keepLast},
 * and those replaced more than {@code keepFor} ago. Either limit absent means no limit of that
 * kind; a version goes when either limit is passed. Delete markers count as versions.
 */
public record RetentionPolicy(@Nullable Integer keepLast, @Nullable Duration keepFor) {

    /** An earlier version as retention sees it: its internal order and when it was replaced. */
    public record Noncurrent<T>(T version, Instant replacedAt) {
    }

    public static RetentionPolicy keepAll() {
        return new RetentionPolicy(null, null);
    }

    /**
     * The versions of {@code newestFirst} (a key's noncurrent versions, newest first) to remove
     * at {@code now}, in the same order.
     */
    public <T> List<T> expired(List<Noncurrent<T>> newestFirst, Instant now) {
        List<T> expired = new ArrayList<>();
        Instant cutoff = keepFor == null ? null : now.minus(keepFor);
        for (int i = 0; i < newestFirst.size(); i++) {
            Noncurrent<T> v = newestFirst.get(i);
            boolean beyondCount = keepLast != null && i >= keepLast;
            // Replaced exactly keepFor ago is still within the limit: the limit is "kept for".
            boolean tooOld = cutoff != null && v.replacedAt().isBefore(cutoff);
            if (beyondCount || tooOld) {
                expired.add(v.version());
            }
        }
        return expired;
    }

    /** True when no earlier version is ever kept (keep-last 0): a replaced version goes at once. */
    public boolean keepsNone() {
        return (keepLast != null && keepLast == 0) || (keepFor != null && keepFor.isZero());
    }
}
