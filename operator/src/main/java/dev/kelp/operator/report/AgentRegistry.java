package dev.kelp.operator.report;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The latest report of every agent, in memory, checked against the pods the API server has:
 * a report counts only while its pod exists with the same UID and policy label, and only
 * until three of the agent's heartbeats pass without another. Nothing here is written
 * anywhere; a restarted operator learns the fleet again within one heartbeat.
 */
public final class AgentRegistry implements FleetView, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AgentRegistry.class);
    /** Heartbeats an agent may miss before it is forgotten. */
    static final int MISSED_HEARTBEATS = 3;
    private static final Duration SWEEP_EVERY = Duration.ofSeconds(1);

    /** What became of one report. */
    public enum Outcome {
        ACCEPTED,
        /** Older than the one already held for the pod (a retry overtaken by a newer report). */
        STALE,
        /** No pod with that namespace, name, UID and policy label: refused. */
        UNKNOWN_POD
    }

    /** The outcome, and for a refusal the reason given to the agent. */
    public record Offer(Outcome outcome, String reason) {
    }

    private record Entry(AgentReport report, Instant receivedAt) {
        boolean freshAt(Instant now) {
            return now.isBefore(receivedAt.plus(report.heartbeat().multipliedBy(MISSED_HEARTBEATS)));
        }
    }

    /** How long a new registry takes to hear from every agent: one default heartbeat plus its jitter. */
    public static final Duration WARM_UP = Duration.ofSeconds(66);

    private final PodDirectory pods;
    private final Clock clock;
    private volatile Instant startedAt;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final List<FleetListener> listeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(
        Thread.ofPlatform().name("kelp-agent-registry-sweep").daemon().factory());

    /** Registers itself with the directory's informer: add it before {@link PodDirectory#start}. */
    public AgentRegistry(PodDirectory pods, Clock clock) {
        this.pods = pods;
        this.clock = clock;
        pods.addHandler(new PodEvents());
    }

    /** Starts forgetting silent agents (checked every second). */
    public AgentRegistry start() {
        startedAt = clock.instant();
        sweeper.scheduleWithFixedDelay(this::sweepSafely, SWEEP_EVERY.toMillis(), SWEEP_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    public void addListener(FleetListener listener) {
        listeners.add(listener);
    }

    /** Takes a report if it comes from a pod that exists with its UID and carries its policy label. */
    public Offer offer(AgentReport report) {
        var pod = pods.find(report.namespace(), report.pod());
        if (pod.isEmpty()) {
            return new Offer(Outcome.UNKNOWN_POD, "no pod " + report.namespace() + "/" + report.pod()
                + " with label " + PodDirectory.POLICY_LABEL);
        }
        if (!report.podUid().equals(pod.get().getMetadata().getUid())) {
            return new Offer(Outcome.UNKNOWN_POD, "pod " + report.namespace() + "/" + report.pod() + " has another UID");
        }
        if (!report.policy().equals(PodDirectory.policyOf(pod.get()))) {
            return new Offer(Outcome.UNKNOWN_POD, "pod " + report.namespace() + "/" + report.pod() + " is not labelled "
                + PodDirectory.POLICY_LABEL + "=" + report.policy());
        }
        Instant now = clock.instant();
        var fresh = new Entry(report, now);
        var kept = entries.merge(key(report.namespace(), report.pod()), fresh,
            (old, incoming) -> supersedes(incoming.report(), old.report()) ? incoming : old);
        if (kept != fresh) {
            return new Offer(Outcome.STALE, null);
        }
        notifyListeners(report.namespace(), report.policy());
        return new Offer(Outcome.ACCEPTED, null);
    }

    @Override
    public FleetStatus of(String namespace, String policy) {
        Instant now = clock.instant();
        var members = pods.podsOf(namespace, policy).stream().map(pod -> {
            Entry entry = entries.get(key(namespace, pod.getMetadata().getName()));
            boolean counts = entry != null && entry.freshAt(now)
                && entry.report().podUid().equals(pod.getMetadata().getUid())
                && entry.report().policy().equals(policy);
            return new FleetFold.Member(counts ? entry.report() : null);
        }).toList();
        return members.isEmpty() ? FleetStatus.NONE : FleetFold.fold(members);
    }

    /**
     * The backup runs the agents of {@code policy} last reported (any report still held, fresh
     * or not: a run's outcome stays news after its agent went quiet), for the BackupSchedules.
     */
    public List<BackupRunReport> backupRuns(String namespace, String policy) {
        var out = new java.util.ArrayList<BackupRunReport>();
        for (var pod : pods.podsOf(namespace, policy)) {
            Entry entry = entries.get(key(namespace, pod.getMetadata().getName()));
            if (entry != null && policy.equals(entry.report().policy())) {
                out.addAll(entry.report().backups());
            }
        }
        return out;
    }

    /**
     * The tier rule runs the agents of {@code policy} last reported (any report still held, fresh
     * or not, as for backups), for the TierRules.
     */
    public List<TierRunReport> tierRuns(String namespace, String policy) {
        var out = new java.util.ArrayList<TierRunReport>();
        for (var pod : pods.podsOf(namespace, policy)) {
            Entry entry = entries.get(key(namespace, pod.getMetadata().getName()));
            if (entry != null && policy.equals(entry.report().policy())) {
                out.addAll(entry.report().tierRuns());
            }
        }
        return out;
    }

    /**
     * Whether the registry has run for one heartbeat ({@link #WARM_UP}), so every live agent
     * has reported to it. A new leader starts empty: before it is warm, pods without a report
     * mean "not heard yet" rather than "silent", and the reconciler may keep the agent figures
     * already in status instead of writing "0 ready".
     */
    public boolean isWarm() {
        Instant started = startedAt;
        return started != null && !clock.instant().isBefore(started.plus(WARM_UP));
    }

    /** Whether the pod informer has listed the pods once: before that every report would look unknown. */
    public boolean hasSynced() {
        return pods.hasSynced();
    }

    /** Agents held in memory (fresh or not yet swept). */
    public int size() {
        return entries.size();
    }

    /** Forgets agents silent for three heartbeats and reports whose pod is gone; public for tests. */
    public void sweep() {
        Instant now = clock.instant();
        entries.forEach((key, entry) -> {
            var report = entry.report();
            boolean podGone = pods.find(report.namespace(), report.pod())
                .map(p -> !report.podUid().equals(p.getMetadata().getUid())).orElse(true);
            if ((podGone || !entry.freshAt(now)) && entries.remove(key, entry)) {
                LOG.debug("forgot agent of {}/{} ({})", report.namespace(), report.pod(), podGone ? "pod gone" : "silent");
                notifyListeners(report.namespace(), report.policy());
            }
        });
    }

    private void sweepSafely() {
        try {
            sweep();
        } catch (RuntimeException e) {
            LOG.warn("sweeping agent reports failed", e);
        }
    }

    /**
     * A restarted agent starts its sequence again, so a lower sequence number with a later
     * send time is a new agent process, not an old report.
     */
    private static boolean supersedes(AgentReport incoming, AgentReport held) {
        if (!incoming.podUid().equals(held.podUid())) {
            return true;
        }
        return incoming.seq() > held.seq() || incoming.sentAt().isAfter(held.sentAt());
    }

    private void notifyListeners(String namespace, String policy) {
        if (policy == null) {
            return;
        }
        for (FleetListener listener : listeners) {
            listener.mayHaveChanged(namespace, policy);
        }
    }

    private static String key(String namespace, String pod) {
        return namespace + "/" + pod;
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
    }

    /** Pod life cycle: a new or changed pod changes its policy's total; a deleted one is forgotten. */
    private final class PodEvents implements ResourceEventHandler<Pod> {

        @Override
        public void onAdd(Pod pod) {
            notifyListeners(pod.getMetadata().getNamespace(), PodDirectory.policyOf(pod));
        }

        @Override
        public void onUpdate(Pod before, Pod after) {
            String was = PodDirectory.policyOf(before);
            String is = PodDirectory.policyOf(after);
            if (!Objects.equals(was, is)) {
                notifyListeners(before.getMetadata().getNamespace(), was);
            }
            notifyListeners(after.getMetadata().getNamespace(), is);
        }

        @Override
        public void onDelete(Pod pod, boolean finalStateUnknown) {
            String ns = pod.getMetadata().getNamespace();
            Entry entry = entries.get(key(ns, pod.getMetadata().getName()));
            if (entry != null && entry.report().podUid().equals(pod.getMetadata().getUid())) {
                entries.remove(key(ns, pod.getMetadata().getName()), entry);
                notifyListeners(ns, entry.report().policy());
            }
            notifyListeners(ns, PodDirectory.policyOf(pod));
        }
    }
}
