package dev.kelp.operator.tier;

import dev.kelp.crds.v1alpha1.TierRule;
import dev.kelp.operator.report.AgentRegistry;
import dev.kelp.operator.report.FleetListener;
import dev.kelp.operator.report.TierRunReport;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Triggers a TierRule's reconcile when an agent reports a run of it that is new or has moved on
 * (Running to Succeeded, say), as {@code BackupRunEventSource} does for backups: a heartbeat
 * that repeats the same runs triggers nothing.
 */
public final class TierRunEventSource extends AbstractEventSource<TierRunReport, TierRule> implements FleetListener {

    private final AgentRegistry registry;
    private final Map<String, Set<TierRunReport>> lastSeen = new ConcurrentHashMap<>();

    public TierRunEventSource(AgentRegistry registry) {
        super(TierRunReport.class, "tier-runs");
        this.registry = registry;
        registry.addListener(this);
    }

    /** What the agents of the rule's policy report about its runs. */
    public List<TierRunReport> runsOf(TierRule rule) {
        String namespace = rule.getMetadata().getNamespace();
        return registry.tierRuns(namespace, rule.getSpec().getPolicyRef().getName()).stream()
            .filter(r -> r.rule().equals(rule.getMetadata().getName())).toList();
    }

    @Override
    public Set<TierRunReport> getSecondaryResources(TierRule rule) {
        return Set.copyOf(runsOf(rule));
    }

    @Override
    public void mayHaveChanged(String namespace, String policy) {
        var runs = registry.tierRuns(namespace, policy);
        for (String rule : runs.stream().map(TierRunReport::rule).distinct().toList()) {
            var ofRule = Set.copyOf(runs.stream().filter(r -> r.rule().equals(rule)).toList());
            var before = lastSeen.put(namespace + "/" + rule, ofRule);
            if (!ofRule.equals(before) && isRunning()) {
                getEventHandler().handleEvent(new Event(new ResourceID(rule, namespace)));
            }
        }
    }
}
