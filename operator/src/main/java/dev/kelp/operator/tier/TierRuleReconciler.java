package dev.kelp.operator.tier;

import dev.kelp.crds.v1alpha1.StoragePolicy;
import dev.kelp.crds.v1alpha1.TierRule;
import dev.kelp.crds.v1alpha1.TierRuleStatus;
import dev.kelp.operator.policy.Announcements;
import dev.kelp.operator.policy.Conditions;
import dev.kelp.operator.policy.KubeEvents;
import dev.kelp.operator.policy.PolicyAttachment;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.MaxReconciliationInterval;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Keeps a TierRule's status: whether the policy it names exists (the StoragePolicy reconciler
 * renders the rule into that policy's agent configuration), and what the last run the policy's
 * agents report did ({@code lastRun}, {@code objectsMoved}, {@code bytesMoved},
 * {@code bytesPerTier}, the {@code LastRunSucceeded} condition; see {@link TierRunFold}).
 */
@ControllerConfiguration(name = "tierrule",
    maxReconciliationInterval = @MaxReconciliationInterval(interval = 5, timeUnit = TimeUnit.MINUTES))
public class TierRuleReconciler implements Reconciler<TierRule> {

    private final KubeEvents events;
    private final Clock clock;
    private final Announcements announced = new Announcements();
    private final Announcements announcedRuns = new Announcements();
    private final Optional<TierRunEventSource> runs;

    public TierRuleReconciler(KubeEvents events, Clock clock) {
        this(events, clock, Optional.empty());
    }

    /** @param runs the agents' reports of runs; empty: status shows no runs (an operator without reports) */
    public TierRuleReconciler(KubeEvents events, Clock clock, Optional<TierRunEventSource> runs) {
        this.events = events;
        this.clock = clock;
        this.runs = runs;
    }

    @Override
    public List<EventSource<?, TierRule>> prepareEventSources(EventSourceContext<TierRule> context) {
        var sources = new java.util.ArrayList<EventSource<?, TierRule>>();
        sources.add(PolicyAttachment.policies(context, TierRule.class, r -> r.getSpec().getPolicyRef().getName()));
        runs.ifPresent(sources::add);
        return sources;
    }

    @Override
    public UpdateControl<TierRule> reconcile(TierRule rule, Context<TierRule> context) {
        String namespace = rule.getMetadata().getNamespace();
        String policyName = rule.getSpec().getPolicyRef().getName();
        var policy = context.getSecondaryResource(StoragePolicy.class);
        var problems = PolicyAttachment.targetSecret(rule.getSpec().getTarget(), namespace, context.getClient());
        var ready = PolicyAttachment.ready(policy, policyName, namespace, problems);

        var previous = rule.getStatus() == null ? new TierRuleStatus() : rule.getStatus();
        if (announced.isNews(rule, previous.getConditions(), ready)) {
            if (ready.holds()) {
                events.normal(rule, ready.reason(), ready.message());
            } else {
                events.warning(rule, ready.reason(), ready.message());
            }
        }
        var reported = runs.map(r -> r.runsOf(rule)).orElse(List.of());
        var status = new TierRuleStatus();
        TierRunFold.fold(previous, reported, status);
        status.setObservedGeneration(rule.getMetadata().getGeneration());
        Instant now = Instant.now(clock);
        var conditions = Conditions.with(previous.getConditions(), ready, rule.getMetadata().getGeneration(), now);
        var lastRun = TierRunFold.lastRunCondition(reported);
        if (lastRun.isPresent()) {
            boolean news = announcedRuns.isNews(rule, previous.getConditions(), lastRun.get());
            if (news && !lastRun.get().holds()) {
                events.warning(rule, "TierRunFailed", lastRun.get().message());
            }
            conditions = Conditions.with(conditions, lastRun.get(), rule.getMetadata().getGeneration(), now);
        }
        status.setConditions(conditions);
        if (rule.getStatus() != null && Serialization.asJson(rule.getStatus()).equals(Serialization.asJson(status))) {
            return UpdateControl.noUpdate();
        }
        rule.setStatus(status);
        return UpdateControl.patchStatus(rule);
    }
}
