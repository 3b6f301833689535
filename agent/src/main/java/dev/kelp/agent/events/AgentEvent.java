package dev.kelp.agent.events;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * Something worth keeping a record of: an access, a save or load, a sync, a mode transition,
 * an error. The id is a time-based UUID minted once, so a replay after an outage writes the
 * same row again instead of a duplicate.
 */
public record AgentEvent(UUID id, Instant at, Type type, String bucket, String key, Map<String, String> detail) {

    public AgentEvent {
        detail = Map.copyOf(detail);
    }

    public enum Type {
        ACCESS, SAVE, LOAD, DELETE, SYNC, MODE_TRANSITION, ERROR
    }
}
