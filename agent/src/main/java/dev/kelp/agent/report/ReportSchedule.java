package dev.kelp.agent.report;

import java.time.Duration;
import java.time.Instant;
import java.util.function.DoubleSupplier;

/**
 * When the next report goes out: at once on a change, but never sooner than {@code debounce}
 * after the previous one (so a flapping agent sends at most one report per debounce
 * interval, and the last state always goes out); otherwise every heartbeat, each one
 * jittered by ±10% so agents started together drift apart instead of reporting in step.
 * After a failure, the next attempt waits a backoff that doubles up to the heartbeat.
 * Pure logic on the instants it is given; one thread drives it.
 */
final class ReportSchedule {

    static final double JITTER = 0.1;

    private final Duration debounce;
    private final Duration heartbeat;
    private final DoubleSupplier random;
    private boolean changed = true; // the first report says "here I am"
    private Instant lastAttempt;
    private Instant nextHeartbeat = Instant.MIN;
    private Instant notBefore = Instant.MIN;
    private int failures;

    /** {@code random} gives values in [0, 1), as {@link java.util.concurrent.ThreadLocalRandom} does. */
    ReportSchedule(Duration debounce, Duration heartbeat, DoubleSupplier random) {
        this.debounce = debounce;
        this.heartbeat = heartbeat;
        this.random = random;
    }

    /** The mode or the readiness changed since the last report. */
    void changed() {
        changed = true;
    }

    /** Whether a report should go out at {@code now}. */
    boolean due(Instant now) {
        if (now.isBefore(notBefore)) {
            return false;
        }
        if (changed) {
            return lastAttempt == null || !now.isBefore(lastAttempt.plus(debounce));
        }
        return !now.isBefore(nextHeartbeat);
    }

    /** The operator took the report sent at {@code now}. */
    void sent(Instant now) {
        lastAttempt = now;
        changed = false;
        failures = 0;
        notBefore = Instant.MIN;
        nextHeartbeat = now.plus(jittered(heartbeat));
    }

    /**
     * The report sent at {@code now} did not arrive. {@code soon}: the answer says another
     * replica will take it (a non-leader's 503), so try again after the debounce only.
     */
    void failed(Instant now, boolean soon) {
        lastAttempt = now;
        changed = true; // what was not delivered is still news
        failures++;
        Duration wait = soon ? debounce : backoff(failures);
        notBefore = now.plus(wait);
    }

    /** When the next heartbeat is due if nothing changes; for tests and logs. */
    Instant nextHeartbeat() {
        return nextHeartbeat;
    }

    private Duration backoff(int failures) {
        // 1 s, 2 s, 4 s ... capped at the heartbeat: an operator that is down for an hour costs
        // each agent one attempt per heartbeat, the same rate as when it is up.
        long base = Math.max(1000, debounce.toMillis());
        long millis = Math.min(heartbeat.toMillis(), base << Math.min(failures - 1, 20));
        return jittered(Duration.ofMillis(millis));
    }

    private Duration jittered(Duration d) {
        double factor = 1 - JITTER + 2 * JITTER * random.getAsDouble();
        return Duration.ofMillis(Math.round(d.toMillis() * factor));
    }
}
