package dev.kelp.agent.report;

import java.time.Duration;
import java.time.Instant;

/**
 * Decides which failures get a log line: the first of a run, then at most one per interval
 * with the number left unsaid, so an operator that is down for a day costs a few lines an
 * hour rather than one per attempt.
 */
final class BoundedLog {

    private final Duration interval;
    private Instant lastLogged;
    private long suppressed;

    BoundedLog(Duration interval) {
        this.interval = interval;
    }

    /**
     * Whether to log a failure at {@code now}; when it says yes, {@link #suppressed()} is the
     * number of failures left unlogged since the last line.
     */
    boolean shouldLog(Instant now) {
        if (lastLogged == null || !now.isBefore(lastLogged.plus(interval))) {
            lastLogged = now;
            return true;
        }
        suppressed++;
        return false;
    }

    /** Unlogged failures since the last logged one; reading it starts the count again. */
    long suppressed() {
        long n = suppressed;
        suppressed = 0;
        return n;
    }

    /** A success ends the run: the next failure is logged at once. */
    void recovered() {
        lastLogged = null;
        suppressed = 0;
    }

    boolean inFailureRun() {
        return lastLogged != null;
    }
}
