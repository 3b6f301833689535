package dev.kelp.operator.report;

import dev.kelp.crds.v1alpha1.StoragePolicy;
import io.javaoperatorsdk.operator.OperatorException;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Triggers a StoragePolicy's reconcile when the fold of its agents' reports changed (a report,
 * a pod added or deleted, an agent gone silent), at most once per interval per policy, so that
 * however many agents report, the reconciler, the only writer of status, patches each policy at
 * most once per interval. The policy's fold is also its secondary resource.
 */
public final class FleetEventSource extends AbstractEventSource<FleetStatus, StoragePolicy> implements FleetListener {

    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);
    private static final Logger LOG = LoggerFactory.getLogger(FleetEventSource.class);

    private final FleetView view;
    private final Clock clock;
    private final ReconcileGate<ResourceID> gate;
    private final Map<ResourceID, FleetStatus> lastTriggered = new ConcurrentHashMap<>();
    private final AtomicLong triggers = new AtomicLong();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
        Thread.ofPlatform().name("kelp-fleet-events").daemon().factory());

    /** Listens to {@code registry}; one instance per operator, handed to the StoragePolicy reconciler. */
    public FleetEventSource(AgentRegistry registry, Duration interval) {
        this(registry, registry, interval);
    }

    /**
     * Listens to {@code registry} but folds through {@code view}, which may add to the reports
     * what the registry does not know (pods admitted without an agent).
     */
    public FleetEventSource(AgentRegistry registry, FleetView view, Duration interval) {
        this(view, interval, Clock.systemUTC());
        registry.addListener(this);
    }

    FleetEventSource(FleetView view, Duration interval, Clock clock) {
        super(FleetStatus.class, "agent-reports");
        this.view = view;
        this.clock = clock;
        this.gate = new ReconcileGate<>(interval);
    }

    @Override
    public void mayHaveChanged(String namespace, String policy) {
        var id = new ResourceID(policy, namespace);
        Instant at;
        synchronized (gate) {
            at = gate.offer(id, clock.instant());
        }
        if (at != null) {
            schedule(id, at);
        }
    }

    private void schedule(ResourceID id, Instant at) {
        long delay = Math.max(0, Duration.between(clock.instant(), at).toMillis());
        timer.schedule(() -> fire(id), delay, TimeUnit.MILLISECONDS);
    }

    /** Reconciles triggered so far, for metrics and tests. */
    public long triggers() {
        return triggers.get();
    }

    @Override
    public Set<FleetStatus> getSecondaryResources(StoragePolicy policy) {
        return Set.of(view.of(policy.getMetadata().getNamespace(), policy.getMetadata().getName()));
    }

    @Override
    public void stop() throws OperatorException {
        timer.shutdownNow();
        super.stop();
    }

    private void fire(ResourceID id) {
        synchronized (gate) {
            gate.folding(id);
        }
        Instant next = null;
        try {
            // Fold when firing, not when told: the fold then includes every change coalesced into this firing.
            FleetStatus status = view.of(id.getNamespace().orElse(null), id.getName());
            boolean changed = !Objects.equals(status, lastTriggered.get(id)) && isRunning();
            synchronized (gate) {
                next = changed ? gate.fired(id, clock.instant()) : gate.skipped(id, clock.instant());
            }
            if (changed) {
                lastTriggered.put(id, status);
                triggers.incrementAndGet();
                getEventHandler().handleEvent(new Event(id));
            }
        } catch (RuntimeException e) {
            LOG.warn("triggering the reconcile of {} failed", id, e);
            synchronized (gate) {
                next = gate.skipped(id, clock.instant());
            }
        }
        if (next != null) {
            // A change came while this firing folded (a pod's delete right after its update, say):
            // without a firing of its own it would wait for the next change, however long.
            schedule(id, next);
        }
    }
}
