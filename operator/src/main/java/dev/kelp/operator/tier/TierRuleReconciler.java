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
import java.util.concurrent.TimeUnit;

/**
 * Keeps a TierRule's own status: whether the policy it names exists (the StoragePolicy
 * reconciler renders the rule into that policy's agent configuration). What a run moved is the
 * agents' to report, in a later issue: those status fields stay absent until then.
 */
@ControllerConfiguration(name = "tierrule",
    maxReconciliationInterval = @MaxReconciliationInterval(interval = 5, timeUnit = TimeUnit.MINUTES))
public class TierRuleReconciler implements Reconciler<TierRule> {

    private final KubeEvents events;
    private final Clock clock;
    private final Announcements announced = new Announcements();

    public TierRuleReconciler(KubeEvents events, Clock clock) {
        this.events = events;
        this.clock = clock;
    }

    @Override
    public List<EventSource<?, TierRule>> prepareEventSources(EventSourceContext<TierRule> context) {
        return List.of(PolicyAttachment.policies(context, TierRule.class, r -> r.getSpec().getPolicyRef().getName()));
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
        var status = new TierRuleStatus();
        status.setLastRun(previous.getLastRun());
        status.setObjectsMoved(previous.getObjectsMoved());
        status.setBytesMoved(previous.getBytesMoved());
        status.setBytesPerTier(previous.getBytesPerTier());
        status.setObservedGeneration(rule.getMetadata().getGeneration());
        status.setConditions(Conditions.with(previous.getConditions(), ready, rule.getMetadata().getGeneration(), Instant.now(clock)));
        if (rule.getStatus() != null && Serialization.asJson(rule.getStatus()).equals(Serialization.asJson(status))) {
            return UpdateControl.noUpdate();
        }
        rule.setStatus(status);
        return UpdateControl.patchStatus(rule);
    }
}
