package dev.kelp.agent.events;

import java.util.List;

/**
 * Reads the audit trail back from where the events went: the local files on the embedded
 * default, Cassandra otherwise (this agent's partitions). Events still on their way (queued in
 * memory, spooled during a Cassandra outage) are not there yet.
 */
public interface EventReader {

    /** Newest first. Throws {@link EventStoreUnavailableException} when the store cannot be read now. */
    List<AgentEvent> read(AuditQuery query);
}
