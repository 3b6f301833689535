package dev.kelp.operator.report;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Coalesces change notices per key so a key fires at most once per interval: the first
 * notice after a quiet interval fires at once, notices within the interval after a firing
 * wait for its end and fire together, once. Pure logic on the instants given; the caller
 * serialises calls.
 */
final class ReconcileGate<K> {

    private final Duration interval;
    private final Map<K, Instant> lastFired = new HashMap<>();
    private final Set<K> scheduled = new HashSet<>();

    ReconcileGate(Duration interval) {
        this.interval = interval;
    }

    /**
     * A change to {@code key} at {@code now}: when to fire for it, or null when a firing is
     * already scheduled (it will see this change too).
     */
    Instant offer(K key, Instant now) {
        if (!scheduled.add(key)) {
            return null;
        }
        Instant last = lastFired.get(key);
        if (last == null) {
            return now;
        }
        Instant earliest = last.plus(interval);
        return earliest.isAfter(now) ? earliest : now;
    }

    /** The scheduled firing for {@code key} happened at {@code at}. */
    void fired(K key, Instant at) {
        scheduled.remove(key);
        lastFired.put(key, at);
    }

    /** The scheduled firing for {@code key} found nothing new and did not fire. */
    void skipped(K key) {
        scheduled.remove(key);
    }

    /** Forgets a key (its policy is gone). */
    void forget(K key) {
        scheduled.remove(key);
        lastFired.remove(key);
    }
}
