package dev.kelp.agent.backup;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Renews a lease while a long run goes on, and lets the run stop at its next step once a
 * renewal failed: past its lease another agent may start the same schedule, and two runners
 * would write one target at once. Backups and tier runs both hold their lease this way.
 */
public final class LeaseRenewal implements AutoCloseable {

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
        Thread.ofPlatform().name("kelp-lease-renewal").daemon().factory());
    private volatile String lost;

    private LeaseRenewal() {
    }

    /** @param lease what is renewed, for the message a lost lease stops the run with ("the backup lease") */
    public static LeaseRenewal start(String lease, BooleanSupplier renew, Duration every) {
        var renewal = new LeaseRenewal();
        renewal.timer.scheduleWithFixedDelay(() -> {
            try {
                if (!renew.getAsBoolean()) {
                    renewal.lost = "another agent took " + lease;
                }
            } catch (RuntimeException e) {
                renewal.lost = "cannot renew " + lease + ": " + e.getMessage();
            }
        }, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
        return renewal;
    }

    /** Throws once a renewal failed. */
    public void check() {
        if (lost != null) {
            throw new IllegalStateException(lost);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
