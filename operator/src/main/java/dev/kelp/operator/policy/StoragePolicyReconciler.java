package dev.kelp.operator.policy;

import dev.kelp.crds.v1alpha1.BackupSchedule;
import dev.kelp.crds.v1alpha1.StoragePolicy;
import dev.kelp.crds.v1alpha1.StoragePolicyStatus;
import dev.kelp.crds.v1alpha1.TierRule;
import dev.kelp.operator.report.FleetView;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.MaxReconciliationInterval;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The life of a StoragePolicy: renders its agents' configuration (with the TierRules and
 * BackupSchedules that name it) into ConfigMap {@code kelp-agent-<policy>} by server-side
 * apply, checks the Secrets it names, and writes its status, which nobody else writes.
 *
 * <p>Triggers: the policy itself; its ConfigMap (an edit or a delete is put back); any TierRule
 * or BackupSchedule naming it; the extra event sources given to the constructor (agent reports);
 * and at least every {@link #RESYNC} so that a Secret created later, or an agent whose heartbeat
 * expired, shows without any event. Secrets are only read by name with a GET at each reconcile:
 * watching them would need list/watch on every Secret of the cluster.
 */
@ControllerConfiguration(name = StoragePolicyReconciler.NAME,
    maxReconciliationInterval = @MaxReconciliationInterval(interval = 60, timeUnit = TimeUnit.SECONDS))
public class StoragePolicyReconciler implements Reconciler<StoragePolicy>, Cleaner<StoragePolicy> {

    public static final String NAME = "storagepolicy";
    static final String FIELD_MANAGER = "kelp-operator";

    /** The default periodic reconcile; KelpOperator overrides it from OperatorSettings. */
    public static final Duration RESYNC = Duration.ofSeconds(60);

    /** A policy that is not Ready is looked at sooner: the missing Secret may be created any moment. */
    static final Duration RECHECK_WHEN_NOT_READY = Duration.ofSeconds(15);

    private final FleetView fleet;
    private final Optional<ReportTarget> report;
    private final List<EventSource<?, StoragePolicy>> extraEventSources;
    private final Clock clock;
    private final KubeEvents events;
    private final Announcements announced = new Announcements();

    private InformerEventSource<ConfigMap, StoragePolicy> configMaps;
    private InformerEventSource<TierRule, StoragePolicy> tierRules;
    private InformerEventSource<BackupSchedule, StoragePolicy> backupSchedules;

    /**
     * @param fleet             the agents' reports, folded per policy
     * @param report            where agents report, rendered into every ConfigMap; empty: not rendered
     * @param extraEventSources more triggers, e.g. one that fires when a policy's fold changes
     * @param events            how Events are recorded
     * @param clock             for condition transition times
     */
    public StoragePolicyReconciler(FleetView fleet, Optional<ReportTarget> report,
                                   List<EventSource<?, StoragePolicy>> extraEventSources,
                                   KubeEvents events, Clock clock) {
        this.fleet = Objects.requireNonNull(fleet);
        this.report = Objects.requireNonNull(report);
        this.extraEventSources = List.copyOf(extraEventSources);
        this.events = events;
        this.clock = clock;
    }

    @Override
    public List<EventSource<?, StoragePolicy>> prepareEventSources(EventSourceContext<StoragePolicy> context) {
        configMaps = new InformerEventSource<>(InformerEventSourceConfiguration.from(ConfigMap.class, StoragePolicy.class)
            .withName("agent-configmaps")
            .withLabelSelector(AgentConfigMap.SELECTOR)
            .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(StoragePolicy.class))
            .build(), context);
        tierRules = new InformerEventSource<>(InformerEventSourceConfiguration.from(TierRule.class, StoragePolicy.class)
            .withName("tierrules")
            .withSecondaryToPrimaryMapper(new PolicyRefMapper<TierRule>(r -> r.getSpec().getPolicyRef().getName()))
            .build(), context);
        backupSchedules = new InformerEventSource<>(InformerEventSourceConfiguration.from(BackupSchedule.class, StoragePolicy.class)
            .withName("backupschedules")
            .withSecondaryToPrimaryMapper(new PolicyRefMapper<BackupSchedule>(b -> b.getSpec().getPolicyRef().getName()))
            .build(), context);
        var sources = new ArrayList<EventSource<?, StoragePolicy>>(List.of(configMaps, tierRules, backupSchedules));
        sources.addAll(extraEventSources);
        return sources;
    }

    @Override
    public UpdateControl<StoragePolicy> reconcile(StoragePolicy policy, Context<StoragePolicy> context) {
        var meta = policy.getMetadata();
        String namespace = meta.getNamespace();

        // From the informers' caches, filtered by name: the mapper also sends a rule's former policy
        // an event when the rule is pointed elsewhere, and that policy must render without it.
        List<TierRule> rules = tierRules.list(namespace, r -> meta.getName().equals(r.getSpec().getPolicyRef().getName())).toList();
        List<BackupSchedule> schedules = backupSchedules.list(namespace, b -> meta.getName().equals(b.getSpec().getPolicyRef().getName())).toList();
        String agentYml = AgentConfigRenderer.render(policy, rules, schedules, report);
        ConfigMap desired = AgentConfigMap.desired(policy, agentYml, report, AgentConfigRenderer.targetSecrets(rules, schedules));
        ConfigMap stored = configMaps.get(new ResourceID(AgentConfigMap.name(meta.getName()), namespace)).orElse(null);
        if (!AgentConfigMap.upToDate(stored, desired)) {
            context.getClient().configMaps().inNamespace(namespace).resource(desired)
                .fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
        }
        String storedHash = stored == null || stored.getMetadata().getAnnotations() == null ? null
            : stored.getMetadata().getAnnotations().get(AgentConfigMap.HASH_ANNOTATION);
        String newHash = desired.getMetadata().getAnnotations().get(AgentConfigMap.HASH_ANNOTATION);
        String lastHash = announced.last(policy, "config-hash", storedHash);
        if (announced.changed(policy, "config-hash", storedHash, newHash)) {
            events.normal(policy, lastHash == null ? "ConfigRendered" : "ConfigChanged",
                "agent configuration in ConfigMap " + desired.getMetadata().getName() + " is now " + newHash.substring(0, 12)
                    + " (" + rules.size() + " tier rules, " + schedules.size() + " backup schedules)");
        }

        var problems = RequiredSecrets.check(RequiredSecrets.of(policy.getSpec()),
            name -> context.getClient().secrets().inNamespace(namespace).withName(name).get());
        var previous = policy.getStatus() == null ? new StoragePolicyStatus() : policy.getStatus();
        var ready = PolicyStatus.ready(problems, desired.getMetadata().getName());
        var fold = fleet.of(namespace, meta.getName());
        var degraded = PolicyStatus.degraded(fold);
        var status = PolicyStatus.next(previous, meta.getGeneration(), ready, degraded, fold, Instant.now(clock));

        if (announced.isNews(policy, previous.getConditions(), ready)) {
            if (ready.holds()) {
                events.normal(policy, "Ready", ready.message());
            } else {
                events.warning(policy, ready.reason(), ready.message());
            }
        }
        String degradedBefore = announced.last(policy, Conditions.DEGRADED + "-status", Conditions.find(previous.getConditions(), Conditions.DEGRADED)
            .map(Condition::getStatus).orElse(null));
        if (announced.isNews(policy, previous.getConditions(), degraded)) {
            if (degraded.holds()) {
                events.warning(policy, degraded.reason(), degraded.message());
            } else if (Conditions.TRUE.equals(degradedBefore)) {
                events.normal(policy, "Recovered", degraded.message());
            }
        }
        announced.changed(policy, Conditions.DEGRADED + "-status", null, degraded.status());

        UpdateControl<StoragePolicy> control;
        if (sameStatus(policy.getStatus(), status)) {
            control = UpdateControl.noUpdate();
        } else {
            policy.setStatus(status);
            // The reconciler is the only writer of this status (server-side apply, its own field
            // manager): no optimistic lock. With one, a policy read before JOSDK added its finalizer
            // got a 409 and a 2 s retry, seen for 1-2 of 1,000 policies created at once.
            policy.getMetadata().setResourceVersion(null);
            control = UpdateControl.patchStatus(policy);
        }
        return ready.holds() ? control : control.rescheduleAfter(RECHECK_WHEN_NOT_READY);
    }

    /**
     * The ConfigMap carries an owner reference, but garbage collection needs kube-controller-manager,
     * which a cluster may not run (the proving ground does not): delete it ourselves.
     */
    @Override
    public DeleteControl cleanup(StoragePolicy policy, Context<StoragePolicy> context) {
        announced.forget(policy);
        context.getClient().configMaps().inNamespace(policy.getMetadata().getNamespace())
            .withName(AgentConfigMap.name(policy.getMetadata().getName())).delete();
        return DeleteControl.defaultDelete();
    }

    private static boolean sameStatus(StoragePolicyStatus stored, StoragePolicyStatus computed) {
        return stored != null && Serialization.asJson(stored).equals(Serialization.asJson(computed));
    }
}
