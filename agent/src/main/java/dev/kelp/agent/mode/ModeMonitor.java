package dev.kelp.agent.mode;

import dev.kelp.agent.events.AgentEvent;
import dev.kelp.agent.events.EventSink;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mode state machine. Components report health signals; the mode follows from them:
 * LOCAL_ONLY when there is no usable control plane (no SeaweedFS configured, credentials
 * refused, metadata unreachable), FALLBACK when SeaweedFS is unhealthy, FULL otherwise.
 * Every transition is logged, counted and sent as an event.
 */
@Singleton
public class ModeMonitor {

    private static final Logger LOG = LoggerFactory.getLogger(ModeMonitor.class);

    private final EventSink events;
    private final MeterRegistry meters;
    private final Clock clock;
    private final boolean seaweedConfigured;
    private final Map<Signal, String> failures = new EnumMap<>(Signal.class);
    private final List<Consumer<ModeState>> listeners = new CopyOnWriteArrayList<>();
    private volatile ModeState state;

    public ModeMonitor(EventSink events, MeterRegistry meters, @Value("${kelp.seaweedfs.endpoint:}") String seaweedEndpoint) {
        this(events, meters, Clock.systemUTC(), !seaweedEndpoint.isBlank());
    }

    ModeMonitor(EventSink events, MeterRegistry meters, Clock clock, boolean seaweedConfigured) {
        this.events = events;
        this.meters = meters;
        this.clock = clock;
        this.seaweedConfigured = seaweedConfigured;
        this.state = compute();
        meters.gauge("kelp.mode", this, m -> m.current().mode().ordinal());
    }

    public ModeState current() {
        return state;
    }

    /** Records a signal; {@code reason} says what is wrong when {@code healthy} is false. */
    public void report(Signal signal, boolean healthy, String reason) {
        ModeState before;
        ModeState after;
        synchronized (this) {
            String previous = healthy ? failures.remove(signal) : failures.put(signal, Objects.requireNonNull(reason));
            boolean changed = healthy ? previous != null : !reason.equals(previous);
            if (!changed) {
                return;
            }
            before = state;
            after = compute();
            if (after.mode() == before.mode()) {
                // Same mode, new reasons: keep "since", it tells how long the mode has lasted.
                state = new ModeState(before.mode(), before.since(), after.reasons());
                return;
            }
            state = after;
        }
        onTransition(before, after);
    }

    public void addListener(Consumer<ModeState> listener) {
        listeners.add(listener);
    }

    private ModeState compute() {
        List<String> reasons = new ArrayList<>();
        Mode mode;
        if (!seaweedConfigured) {
            reasons.add("no SeaweedFS endpoint configured: objects stay on the local volume");
            mode = Mode.LOCAL_ONLY;
        } else if (failures.containsKey(Signal.METADATA) || failures.containsKey(Signal.SEAWEEDFS_CREDENTIALS)) {
            mode = Mode.LOCAL_ONLY;
        } else if (failures.containsKey(Signal.SEAWEEDFS)) {
            mode = Mode.FALLBACK;
        } else {
            mode = Mode.FULL;
        }
        failures.forEach((signal, reason) -> reasons.add(signal.name().toLowerCase() + ": " + reason));
        return new ModeState(mode, clock.instant(), reasons);
    }

    private void onTransition(ModeState before, ModeState after) {
        LOG.warn("mode {} -> {} ({})", before.mode(), after.mode(), String.join("; ", after.reasons()));
        meters.counter("kelp.mode.transitions", "from", before.mode().name(), "to", after.mode().name()).increment();
        events.emit(new AgentEvent(UUID.randomUUID(), after.since(), AgentEvent.Type.MODE_TRANSITION, null, null,
            Map.of("from", before.mode().name(), "to", after.mode().name(), "reasons", String.join("; ", after.reasons()))));
        listeners.forEach(l -> l.accept(after));
    }
}
