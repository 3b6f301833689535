package dev.kelp.agent.events;

/**
 * Where events go. {@link #emit} never blocks a write and never throws: events are queued
 * in memory, written in batches, and spooled to disk while their destination is down.
 */
public interface EventSink {

    void emit(AgentEvent event);
}
