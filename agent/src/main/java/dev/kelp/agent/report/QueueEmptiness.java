package dev.kelp.agent.report;

/**
 * Notices the sync queue turning empty (a drain finished) or filling again, so the reporter
 * tells the operator at once instead of at the next heartbeat: {@code kubectl get sp} shows
 * PENDING 0 when the drain ends, as the runbook says. Other changes of the pending figures
 * wait for the heartbeat, which keeps a busy outage from becoming a report a second.
 */
final class QueueEmptiness {

    private boolean empty = true;

    /** Whether {@code pendingObjects} flips the queue between empty and not since the last call. */
    boolean flipped(long pendingObjects) {
        boolean now = pendingObjects == 0;
        boolean flipped = now != empty;
        empty = now;
        return flipped;
    }
}
