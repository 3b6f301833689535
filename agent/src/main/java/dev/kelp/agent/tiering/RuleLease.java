package dev.kelp.agent.tiering;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Renews a rule's lease while its run goes on, and lets the run stop at its next object once a
 * renewal failed: past its lease another agent may run the same rule.
 */
final class RuleLease implements AutoCloseable {

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
        Thread.ofPlatform().name("kelp-tier-lease").daemon().factory());
    private volatile String lost;

    static RuleLease renewing(BooleanSupplier renew, Duration every) {
        var lease = new RuleLease();
        lease.timer.scheduleWithFixedDelay(() -> {
            try {
                if (!renew.getAsBoolean()) {
                    lease.lost = "another agent took the tier rule's lease";
                }
            } catch (RuntimeException e) {
                lease.lost = "cannot renew the tier rule's lease: " + e.getMessage();
            }
        }, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
        return lease;
    }

    /** Throws once a renewal failed. */
    void check() {
        if (lost != null) {
            throw new IllegalStateException(lost);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
