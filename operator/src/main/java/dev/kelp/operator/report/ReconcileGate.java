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
    /** Keys whose firing has begun to read the state it fires with. */
    private final Set<K> folding = new HashSet<>();
    /** Keys told of a change after their firing had read the state: that firing cannot carry it. */
    private final Set<K> changedWhileFolding = new HashSet<>();

    ReconcileGate(Duration interval) {
        this.interval = interval;
    }

    /**
     * A change to {@code key} at {@code now}: when to fire for it, or null when a firing is
     * already scheduled (it will see this change too).
     */
    Instant offer(K key, Instant now) {
        if (folding.contains(key)) {
            changedWhileFolding.add(key);
            return null;
        }
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

    /**
     * The scheduled firing for {@code key} reads the state it fires with from now on: a change
     * offered after this is one it may miss, so it gets a firing of its own when this one ends.
     */
    void folding(K key) {
        scheduled.remove(key);
        folding.add(key);
    }

    /**
     * The scheduled firing for {@code key} happened at {@code at}: when to fire next for a change
     * that came while it folded, or null when none did.
     */
    Instant fired(K key, Instant at) {
        lastFired.put(key, at);
        return ended(key, at);
    }

    /** The scheduled firing for {@code key} found nothing new and did not fire; the same answer as {@link #fired}. */
    Instant skipped(K key, Instant now) {
        return ended(key, now);
    }

    private Instant ended(K key, Instant now) {
        scheduled.remove(key);
        folding.remove(key);
        return changedWhileFolding.remove(key) ? offer(key, now) : null;
    }

    /** Forgets a key (its policy is gone). */
    void forget(K key) {
        scheduled.remove(key);
        folding.remove(key);
        changedWhileFolding.remove(key);
        lastFired.remove(key);
    }
}
