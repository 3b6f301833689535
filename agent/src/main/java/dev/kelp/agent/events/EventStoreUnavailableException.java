package dev.kelp.agent.events;

/** The event store cannot be read right now (Cassandra unreachable); the events are not lost. */
public class EventStoreUnavailableException extends RuntimeException {

    public EventStoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
