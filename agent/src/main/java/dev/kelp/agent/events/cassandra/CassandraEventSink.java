package dev.kelp.agent.events.cassandra;

import dev.kelp.agent.config.AgentIdentity;
import dev.kelp.agent.events.AgentEvent;
import dev.kelp.agent.events.EventSink;
import dev.kelp.agent.fallback.FallbackVolume;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Requires;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Events to Cassandra, off every request's path. {@link #emit} only offers to a bounded
 * queue. One writer thread drains it in batches to Cassandra while Cassandra answers, and to
 * the {@link EventSpool} on the fallback volume while it does not; once Cassandra answers
 * again the spool replays, oldest segment first. Cassandra's state never changes the
 * storage mode: it shows in the {@code events} health details and in the metrics.
 *
 * Cassandra acknowledges a write before its commit log is synced, so a node killed right
 * after acknowledging can lose it (the proving ground's kill -9 test lost the last few of a
 * burst this way). The writer keeps what it wrote in the last {@code redeliver-window} and,
 * when it sees an outage (a failed write, or the driver seeing the node go down), spools
 * those again: they are rewritten with the replay, to the same rows.
 */
@Singleton
@Requires(property = "kelp.events.cassandra.contact-points")
public class CassandraEventSink implements EventSink {

    private static final Logger LOG = LoggerFactory.getLogger(CassandraEventSink.class);
    private static final long SEGMENT_BYTES = 256 * 1024;
    // How long a shutdown may spend writing what is queued before it spools it instead.
    private static final Duration SHUTDOWN_WRITE_BOUND = Duration.ofSeconds(3);

    /** What the writer does with events right now. */
    public enum State {
        /** No session yet: the first connection has not succeeded. Events are spooled. */
        CONNECTING,
        /** Cassandra takes writes. */
        WRITING,
        /** Cassandra failed a write or a probe. Events are spooled until it answers again. */
        SPOOLING
    }

    private final CassandraEventsConfig config;
    private final EventTable table;
    private final EventSpool spool;
    private final Clock clock;
    private final BlockingQueue<AgentEvent> queue;
    private final Counter written;
    private final Counter spooled;
    private final Counter droppedQueueFull;
    private final Counter droppedSpoolFull;
    private final Counter droppedSpoolError;
    private final Counter redelivered;
    private final RecentlyWritten recent;
    private long nodeDownsSeen;
    private final AtomicLong dropped = new AtomicLong();
    private final Thread writer;
    private volatile State state = State.CONNECTING;
    private volatile String lastFailure = "not connected yet";
    private volatile boolean running = true;
    private long nextAttemptNanos;
    private long nextReplayNanos;

    public CassandraEventSink(CassandraEventsConfig config, AgentIdentity agent, FallbackVolume volume, MeterRegistry meters) {
        this(config, agent.id(), volume, meters, Clock.systemUTC());
    }

    CassandraEventSink(CassandraEventsConfig config, String agentId, FallbackVolume volume, MeterRegistry meters, Clock clock) {
        this.config = config;
        this.clock = clock;
        this.queue = new ArrayBlockingQueue<>(config.queueCapacity());
        this.table = new EventTable(config, agentId);
        this.written = meters.counter("kelp.events.written");
        this.spooled = meters.counter("kelp.events.spooled");
        this.droppedQueueFull = meters.counter("kelp.events.dropped", "reason", "queue-full");
        this.droppedSpoolFull = meters.counter("kelp.events.dropped", "reason", "spool-full");
        this.droppedSpoolError = meters.counter("kelp.events.dropped", "reason", "spool-error");
        this.redelivered = meters.counter("kelp.events.redelivered");
        this.recent = new RecentlyWritten(config.redeliverWindow(), config.queueCapacity());
        try {
            this.spool = new EventSpool(volume.root().resolve("events-spool"), config.spoolMaxBytes(), SEGMENT_BYTES, this::spoolDropped);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the event spool under " + volume.root(), e);
        }
        meters.gauge("kelp.events.spool.bytes", spool, EventSpool::bytes);
        meters.gauge("kelp.events.spool.segments", spool, EventSpool::segments);
        meters.gauge("kelp.events.queued", queue, BlockingQueue::size);
        meters.gauge("kelp.events.cassandra.up", this, s -> s.state == State.WRITING ? 1 : 0);
        this.nextAttemptNanos = System.nanoTime();
        this.nextReplayNanos = nextAttemptNanos;
        this.writer = Thread.ofPlatform().name("kelp-events-cassandra").daemon().start(this::run);
    }

    @Override
    public void emit(AgentEvent event) {
        if (event == null || queue.offer(event)) {
            return;
        }
        droppedQueueFull.increment();
        if (dropped.incrementAndGet() % 1000 == 1) {
            LOG.warn("event queue full ({} events): {} events dropped so far; the writer cannot keep up with either Cassandra or the spool",
                config.queueCapacity(), dropped.get());
        }
    }

    public State state() {
        return state;
    }

    public String lastFailure() {
        return state == State.WRITING ? null : lastFailure;
    }

    public int queued() {
        return queue.size();
    }

    public EventSpool spool() {
        return spool;
    }

    public long dropped() {
        return dropped.get();
    }

    @PreDestroy
    void close() throws InterruptedException {
        // No interrupt: it would fail a write in flight and spool what could have been written.
        // The writer sees the flag within a flush interval (or one bounded write/connect attempt);
        // its shutdown then writes for at most SHUTDOWN_WRITE_BOUND, and spools the rest.
        running = false;
        writer.join(SHUTDOWN_WRITE_BOUND.plus(config.requestTimeout()).plusSeconds(5).toMillis());
    }

    private void run() {
        try {
            while (running) {
                List<AgentEvent> batch = nextBatch();
                if (table.nodeDowns() != nodeDownsSeen) {
                    nodeDownsSeen = table.nodeDowns();
                    redeliverRecent("the driver saw Cassandra go down");
                }
                if (!batch.isEmpty()) {
                    deliver(batch);
                }
                if (state != State.WRITING && System.nanoTime() - nextAttemptNanos >= 0) {
                    reconnect();
                }
                if (state == State.WRITING && !spool.isEmpty() && System.nanoTime() - nextReplayNanos >= 0) {
                    replayOldestSegment();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            LOG.error("event writer failed; events from now on are dropped", e);
        } finally {
            shutdownFlush();
        }
    }

    private List<AgentEvent> nextBatch() throws InterruptedException {
        List<AgentEvent> batch = new ArrayList<>(config.batchSize());
        AgentEvent first = queue.poll(config.flushInterval().toMillis(), TimeUnit.MILLISECONDS);
        if (first != null) {
            batch.add(first);
            queue.drainTo(batch, config.batchSize() - 1);
        }
        return batch;
    }

    private void deliver(List<AgentEvent> batch) {
        if (state == State.WRITING) {
            try {
                written.increment(table.write(batch, clock.instant()));
                recent.add(batch, System.nanoTime());
                return;
            } catch (Exception e) {
                failed("a write failed", e);
            }
        }
        toSpool(batch);
    }

    private void reconnect() {
        try {
            boolean first = !table.connected();
            table.ensureReady(() -> running);
            LOG.info("events: Cassandra {} ({} spooled events bytes to replay)", first ? "connected" : "answers again", spool.bytes());
            state = State.WRITING;
        } catch (Exception e) {
            failed(table.connected() ? "Cassandra does not answer" : "cannot connect to Cassandra", e);
        }
    }

    private void replayOldestSegment() {
        try {
            var segment = spool.oldest();
            if (segment.isEmpty()) {
                return;
            }
            List<AgentEvent> events = spool.read(segment.get());
            for (int i = 0; i < events.size(); i += config.batchSize()) {
                List<AgentEvent> chunk = events.subList(i, Math.min(events.size(), i + config.batchSize()));
                written.increment(table.write(chunk, clock.instant()));
                recent.add(chunk, System.nanoTime());
            }
            spool.delete(segment.get());
            LOG.debug("events: replayed {} events of {}", events.size(), segment.get().file().getFileName());
        } catch (IOException e) {
            // The disk, not Cassandra: keep writing new events, and try the spool again later
            // rather than on every turn of the loop.
            LOG.error("cannot read the event spool {}; trying again in {}", spool.dir(), config.reconnectInterval(), e);
            nextReplayNanos = System.nanoTime() + config.reconnectInterval().toNanos();
        } catch (Exception e) {
            // Part of the segment may have landed; it replays whole later, to the same rows.
            failed("a replay failed", e);
        }
    }

    private void toSpool(List<AgentEvent> batch) {
        try {
            spool.append(batch);
            spooled.increment(batch.size());
        } catch (IOException e) {
            droppedSpoolError.increment(batch.size());
            dropped.addAndGet(batch.size());
            LOG.error("cannot spool {} events to {}; they are dropped", batch.size(), spool.dir(), e);
        }
    }

    /** Spools again what Cassandra acknowledged lately: it may not have survived the outage. */
    private void redeliverRecent(String why) {
        List<AgentEvent> again = recent.drain(System.nanoTime());
        if (!again.isEmpty()) {
            LOG.info("events: {}; writing the last {} events again (acknowledged within {}, perhaps not yet in Cassandra's synced commit log)",
                why, again.size(), config.redeliverWindow());
            toSpool(again);
            redelivered.increment(again.size());
        }
    }

    private void spoolDropped(long events) {
        droppedSpoolFull.increment(events);
        dropped.addAndGet(events);
    }

    private void failed(String what, Exception e) {
        String reason = what + ": " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + firstLine(e.getMessage()));
        if (state != State.SPOOLING || !reason.equals(lastFailure)) {
            LOG.warn("events: {}; spooling to {} and trying again every {}", reason, spool.dir(), config.reconnectInterval());
        }
        lastFailure = reason;
        if (state == State.WRITING) {
            state = State.SPOOLING;
            redeliverRecent(what);
        }
        nextAttemptNanos = System.nanoTime() + config.reconnectInterval().toNanos();
    }

    private void shutdownFlush() {
        List<AgentEvent> rest = new ArrayList<>();
        queue.drainTo(rest);
        long deadline = System.nanoTime() + SHUTDOWN_WRITE_BOUND.toNanos();
        int i = 0;
        if (state == State.WRITING) {
            try {
                for (; i < rest.size() && System.nanoTime() < deadline; i += config.batchSize()) {
                    written.increment(table.write(rest.subList(i, Math.min(rest.size(), i + config.batchSize())), clock.instant()));
                }
            } catch (Exception e) {
                LOG.warn("events: shutdown write failed ({}); spooling the rest", e.toString());
            }
        }
        if (i < rest.size()) {
            toSpool(rest.subList(i, rest.size()));
        }
        try {
            spool.close();
        } catch (IOException e) {
            LOG.error("cannot close the event spool {}", spool.dir(), e);
        }
        table.close();
        if (!spool.isEmpty()) {
            LOG.info("events: {} bytes stay spooled in {}; they replay at the next start", spool.bytes(), spool.dir());
        }
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
