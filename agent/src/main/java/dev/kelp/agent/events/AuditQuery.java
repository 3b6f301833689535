package dev.kelp.agent.events;

import java.time.Duration;
import java.time.Instant;

/**
 * What {@code GET /v1/audit} asks the event store for: events in {@code [from, to)}, newest
 * first, of one bucket and one owner if given, at most {@code limit}.
 *
 * @param owner events that name this owner as the object's owner or as the caller; null: any
 */
public record AuditQuery(String bucket, String owner, Instant from, Instant to, int limit) {

    public static final int MAX_LIMIT = 1000;
    public static final Duration MAX_WINDOW = Duration.ofDays(31);

    public AuditQuery {
        if (from == null || to == null || !from.isBefore(to)) {
            throw new IllegalArgumentException("from must be before to");
        }
        if (Duration.between(from, to).compareTo(MAX_WINDOW) > 0) {
            throw new IllegalArgumentException("the window from " + from + " to " + to + " is longer than " + MAX_WINDOW.toDays()
                + " days: ask for less at a time");
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT + ", not " + limit);
        }
    }

    /** Whether {@code event} is one this query asks for (the window aside). */
    public boolean matches(AgentEvent event) {
        if (bucket != null && !bucket.equals(event.bucket())) {
            return false;
        }
        return owner == null || owner.equals(event.detail().get("owner")) || owner.equals(event.detail().get("caller"));
    }
}
