package dev.kelp.agent.events.cassandra;

import dev.kelp.agent.events.AgentEvent;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The events written in the last window, oldest first, at most {@code capacity} of them: what
 * an outage might have taken back (see {@link CassandraEventSink}). Times are
 * {@link System#nanoTime()} values, passed in so the logic needs no clock.
 */
final class RecentlyWritten {

    private record Entry(AgentEvent event, long writtenAt) {
    }

    private final long windowNanos;
    private final int capacity;
    private final ArrayDeque<Entry> entries = new ArrayDeque<>();

    RecentlyWritten(Duration window, int capacity) {
        this.windowNanos = window.toNanos();
        this.capacity = capacity;
    }

    void add(List<AgentEvent> events, long now) {
        if (windowNanos == 0) {
            return;
        }
        for (AgentEvent e : events) {
            entries.addLast(new Entry(e, now));
        }
        expire(now);
        while (entries.size() > capacity) {
            entries.removeFirst();
        }
    }

    /** The events still inside the window, oldest first; forgets them all. */
    List<AgentEvent> drain(long now) {
        expire(now);
        List<AgentEvent> out = new ArrayList<>(entries.size());
        entries.forEach(e -> out.add(e.event()));
        entries.clear();
        return out;
    }

    int size() {
        return entries.size();
    }

    private void expire(long now) {
        while (!entries.isEmpty() && now - entries.peekFirst().writtenAt() > windowNanos) {
            entries.removeFirst();
        }
    }
}
