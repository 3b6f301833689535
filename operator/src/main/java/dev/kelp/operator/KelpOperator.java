package dev.kelp.operator;

import dev.kelp.crds.v1alpha1.StoragePolicy;
import dev.kelp.operator.backup.BackupScheduleReconciler;
import dev.kelp.operator.config.OperatorSettings;
import dev.kelp.operator.ops.OpsServer;
import dev.kelp.operator.policy.KubeEvents;
import dev.kelp.operator.policy.ReportTarget;
import dev.kelp.operator.policy.StoragePolicyReconciler;
import dev.kelp.operator.report.FleetStatus;
import dev.kelp.operator.report.FleetView;
import dev.kelp.operator.tier.TierRuleReconciler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator process: the three reconcilers, leader election on a Lease in the operator's
 * namespace, JOSDK metrics into Micrometer, and the ops HTTP port. Settings come from the
 * environment ({@link OperatorSettings}).
 */
public final class KelpOperator {

    private static final Logger LOG = LoggerFactory.getLogger(KelpOperator.class);

    private KelpOperator() {
    }

    public static void main(String[] args) {
        OperatorSettings settings = OperatorSettings.fromEnvironment();
        KubernetesClient client = new KubernetesClientBuilder().build();
        var registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        // The agents' report registry plugs in here once it exists; until then no agent is seen.
        FleetView fleet = (namespace, policy) -> FleetStatus.NONE;
        var shuttingDown = new AtomicBoolean();
        // A replica that lost the Lease must not go on reconciling beside the new leader: exit, and
        // let Kubernetes restart it as a follower. Not while shutting down: stop() gives the Lease
        // up on purpose, and System.exit inside a shutdown hook would hang the JVM.
        Runnable onLeaseLost = () -> {
            if (!shuttingDown.get()) {
                LOG.error("lost the leader Lease {}/{}: exiting", settings.namespace(), OperatorSettings.LEASE_NAME);
                System.exit(1);
            }
        };
        Operator operator = build(client, settings, fleet, reportTarget(settings), List.of(), registry, onLeaseLost);
        OpsServer ops = OpsServer.start(settings.opsPort(), operator::getRuntimeInfo, registry);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            shuttingDown.set(true);
            operator.stop();
            ops.close();
        }, "kelp-operator-shutdown"));
        operator.start();
        LOG.info("Kelp operator {} started against {} (namespace {}, ops port {}, leader election {})",
            settings.identity(), client.getMasterUrl(), settings.namespace(), ops.port(), settings.leaderElection() ? "on" : "off");
    }

    /** The operator with every Kelp reconciler registered, not yet started: no leader election, no agents, no reports. */
    public static Operator create(KubernetesClient client) {
        return create(client, OperatorSettings.embedded("default"), (namespace, policy) -> FleetStatus.NONE,
            Optional.empty(), List.of(), new SimpleMeterRegistry());
    }

    /**
     * The operator with every Kelp reconciler registered, not yet started.
     *
     * @param fleet          the agents' reports, folded per policy, for StoragePolicy status
     * @param report         where agents report, rendered into every policy's ConfigMap
     * @param policyTriggers extra event sources of the StoragePolicy reconciler (e.g. fired when a fold changes)
     * @param meters         where JOSDK's reconcile metrics go
     */
    public static Operator create(KubernetesClient client, OperatorSettings settings, FleetView fleet,
                                  Optional<ReportTarget> report, List<EventSource<?, StoragePolicy>> policyTriggers,
                                  MeterRegistry meters) {
        return build(client, settings, fleet, report, policyTriggers, meters, () -> { });
    }

    private static Operator build(KubernetesClient client, OperatorSettings settings, FleetView fleet,
                                  Optional<ReportTarget> report, List<EventSource<?, StoragePolicy>> policyTriggers,
                                  MeterRegistry meters, Runnable onLeaseLost) {
        Operator operator = new Operator(o -> {
            o.withKubernetesClient(client).withCloseClientOnStop(false)
                // Per-resource meters would make 1,000 policies 1,000 label sets.
                .withMetrics(MicrometerMetrics.withoutPerResourceMetrics(meters));
            if (settings.leaderElection()) {
                o.withLeaderElectionConfiguration(LeaderElectionConfigurationBuilder
                    .aLeaderElectionConfiguration(OperatorSettings.LEASE_NAME)
                    .withLeaseNamespace(settings.namespace())
                    .withIdentity(settings.identity())
                    .withExitOnStopLeading(false)
                    .withLeaderCallbacks(new LeaderCallbacks(() -> { }, onLeaseLost, leader -> { }))
                    .build());
            }
        });
        Clock clock = Clock.systemUTC();
        var events = new KubeEvents(client, settings.identity(), clock);
        operator.register(new StoragePolicyReconciler(fleet, report, policyTriggers, events, clock),
            o -> o.withReconciliationMaxInterval(settings.resyncInterval()));
        operator.register(new TierRuleReconciler(events, clock));
        operator.register(new BackupScheduleReconciler(events, clock));
        return operator;
    }

    private static Optional<ReportTarget> reportTarget(OperatorSettings settings) {
        return settings.reportUrl().map(url -> {
            try {
                return new ReportTarget(url, Files.readString(settings.reportCaFile().orElseThrow()));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read KELP_REPORT_CA_FILE " + settings.reportCaFile().orElseThrow(), e);
            }
        });
    }
}
