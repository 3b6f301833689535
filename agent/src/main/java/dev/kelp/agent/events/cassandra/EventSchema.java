package dev.kelp.agent.events.cassandra;

import dev.kelp.agent.events.AgentEvent;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * The events table and how an event maps onto it. A partition is one agent's day, so a
 * partition stays bounded however long the agent runs and "what did pod X do on day D" reads
 * one partition. Rows cluster by (at, id): the id makes two events of the same millisecond
 * distinct, and since both come from the event itself, replaying it writes the same row.
 */
final class EventSchema {

    static final String TABLE = "events";

    private EventSchema() {
    }

    static String createKeyspace(String keyspace, int replicationFactor) {
        return "CREATE KEYSPACE IF NOT EXISTS " + keyspace
            + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': " + replicationFactor + "}";
    }

    static String createTable(String keyspace, Duration ttl) {
        return "CREATE TABLE IF NOT EXISTS " + keyspace + "." + TABLE + " ("
            + "agent_id text, day text, at timestamp, id uuid, type text, bucket text, object_key text, detail map<text, text>, "
            + "PRIMARY KEY ((agent_id, day), at, id)) "
            + "WITH CLUSTERING ORDER BY (at DESC, id ASC) AND default_time_to_live = " + ttl.toSeconds();
    }

    static String insert(String keyspace) {
        return "INSERT INTO " + keyspace + "." + TABLE
            + " (agent_id, day, at, id, type, bucket, object_key, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?) USING TTL ?";
    }

    /** The partition's day: UTC, from the event's own instant, so a replay days later lands in the same one. */
    static String day(Instant at) {
        return LocalDate.ofInstant(at, ZoneOffset.UTC).toString();
    }

    /**
     * Seconds the row should still live: the TTL counts from the event, not from a late replay.
     * Zero when it is already past it (not worth writing).
     */
    static int remainingTtlSeconds(AgentEvent event, Duration ttl, Instant now) {
        long age = Math.max(0, Duration.between(event.at(), now).toSeconds());
        long remaining = ttl.toSeconds() - age;
        return remaining <= 0 ? 0 : (int) remaining;
    }
}
