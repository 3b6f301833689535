package dev.kelp.operator;

import dev.kelp.crds.v1alpha1.StoragePolicy;
import dev.kelp.operator.backup.BackupScheduleReconciler;
import dev.kelp.operator.backup.BackupRunEventSource;
import dev.kelp.operator.tier.TierRunEventSource;
import dev.kelp.operator.config.OperatorSettings;
import dev.kelp.operator.ops.OpsServer;
import dev.kelp.operator.policy.KubeEvents;
import dev.kelp.operator.policy.ReportTarget;
import dev.kelp.operator.policy.StoragePolicyReconciler;
import dev.kelp.operator.inject.Injection;
import dev.kelp.operator.inject.InjectionSettings;
import dev.kelp.operator.inject.PodMutationWebhook;
import dev.kelp.operator.report.AgentRegistry;
import dev.kelp.operator.report.AgentReportHandler;
import dev.kelp.operator.report.FleetEventSource;
import dev.kelp.operator.report.FleetStatus;
import dev.kelp.operator.report.FleetView;
import dev.kelp.operator.report.PodDirectory;
import dev.kelp.operator.server.EndpointSettings;
import dev.kelp.operator.server.OperatorEndpoint;
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
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator process: the three reconcilers, leader election on a Lease in the operator's
 * namespace, JOSDK metrics into Micrometer, and the ops HTTP port. Settings come from the
 * environment ({@link OperatorSettings}).
 */
public final class KelpOperator {

    private static final Logger LOG = LoggerFactory.getLogger(KelpOperator.class);
    private static final long POD_SYNC_TIMEOUT_SECONDS = 60;

    private KelpOperator() {
    }

    public static void main(String[] args) {
        Map<String, String> env = System.getenv();
        OperatorSettings settings = OperatorSettings.from(env);
        KubernetesClient client = new KubernetesClientBuilder().build();
        var registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);

        // The HTTPS endpoint (its certificate issued or loaded first) serves the webhook and the
        // agents' reports; only the leader folds reports into status, a follower answers 503.
        EndpointSettings endpointSettings = EndpointSettings.fromEnv(env);
        var endpoint = OperatorEndpoint.create(client, endpointSettings);
        var leading = new AtomicBoolean(!settings.leaderElection());
        PodDirectory pods = PodDirectory.create(client, null);
        AgentRegistry agents = new AgentRegistry(pods, Clock.systemUTC());
        // The fold a policy's status shows: its agents' reports plus its pods that run without an
        // agent. The detector exists only once Injection has started; no reconcile runs before that.
        var injected = new AtomicReference<Injection>();
        FleetView fleet = (namespace, policy) -> {
            Injection injection = injected.get();
            FleetStatus fold = agents.of(namespace, policy);
            return injection == null ? fold : fold.withUninjected(injection.uninjected(namespace, policy));
        };
        FleetEventSource fleetEvents = new FleetEventSource(agents, fleet, FleetEventSource.DEFAULT_INTERVAL);
        pods.start(POD_SYNC_TIMEOUT_SECONDS);
        agents.start();
        Injection injection = Injection.start(client, InjectionSettings.fromEnv(env), fleetEvents::mayHaveChanged);
        injected.set(injection);
        endpoint.mount(PodMutationWebhook.PATH, injection.webhook())
            .mount(AgentReportHandler.PATH, new AgentReportHandler(agents, leading::get))
            .start();

        var shuttingDown = new AtomicBoolean();
        // A replica that lost the Lease must not go on reconciling beside the new leader: exit, and
        // let Kubernetes restart it as a follower. Not while shutting down: stop() gives the Lease
        // up on purpose, and System.exit inside a shutdown hook would hang the JVM.
        Runnable onLeaseLost = () -> {
            leading.set(false);
            if (!shuttingDown.get()) {
                LOG.error("lost the leader Lease {}/{}: exiting", settings.namespace(), OperatorSettings.LEASE_NAME);
                System.exit(1);
            }
        };
        Optional<ReportTarget> reports = reportTarget(settings, endpointSettings, endpoint);
        Operator operator = build(client, settings, fleet, reports, List.of(fleetEvents), Optional.of(new BackupRunEventSource(agents)),
            Optional.of(new TierRunEventSource(agents)), registry, () -> leading.set(true), onLeaseLost);
        OpsServer ops = OpsServer.start(settings.opsPort(), operator::getRuntimeInfo, registry);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            shuttingDown.set(true);
            operator.stop();
            ops.close();
            endpoint.close();
            injection.close();
            agents.close();
            pods.close();
        }, "kelp-operator-shutdown"));
        operator.start();
        LOG.info("Kelp operator {} started against {} (namespace {}, webhook and reports on :{}, ops port {}, leader election {}, agents report to {})",
            settings.identity(), client.getMasterUrl(), settings.namespace(), endpoint.port(), ops.port(),
            settings.leaderElection() ? "on" : "off", reports.map(ReportTarget::url).orElse("nobody"));
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
        return build(client, settings, fleet, report, policyTriggers, Optional.empty(), Optional.empty(), meters, () -> { }, () -> { });
    }

    /** As above, with the agents' reports of backup runs feeding the BackupSchedules' status. */
    public static Operator create(KubernetesClient client, OperatorSettings settings, FleetView fleet,
                                  Optional<ReportTarget> report, List<EventSource<?, StoragePolicy>> policyTriggers,
                                  BackupRunEventSource backupRuns, MeterRegistry meters) {
        return build(client, settings, fleet, report, policyTriggers, Optional.of(backupRuns), Optional.empty(), meters, () -> { }, () -> { });
    }

    /** As above, with the agents' reports of tier rule runs feeding the TierRules' status too. */
    public static Operator create(KubernetesClient client, OperatorSettings settings, FleetView fleet,
                                  Optional<ReportTarget> report, List<EventSource<?, StoragePolicy>> policyTriggers,
                                  BackupRunEventSource backupRuns, TierRunEventSource tierRuns, MeterRegistry meters) {
        return build(client, settings, fleet, report, policyTriggers, Optional.of(backupRuns), Optional.of(tierRuns), meters,
            () -> { }, () -> { });
    }

    private static Operator build(KubernetesClient client, OperatorSettings settings, FleetView fleet,
                                  Optional<ReportTarget> report, List<EventSource<?, StoragePolicy>> policyTriggers,
                                  Optional<BackupRunEventSource> backupRuns, Optional<TierRunEventSource> tierRuns, MeterRegistry meters,
                                  Runnable onLeading, Runnable onLeaseLost) {
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
                    .withLeaderCallbacks(new LeaderCallbacks(onLeading, onLeaseLost, leader -> { }))
                    .build());
            }
        });
        Clock clock = Clock.systemUTC();
        var events = new KubeEvents(client, settings.identity(), clock);
        operator.register(new StoragePolicyReconciler(fleet, report, policyTriggers, events, clock),
            o -> o.withReconciliationMaxInterval(settings.resyncInterval()));
        operator.register(new TierRuleReconciler(events, clock, tierRuns));
        operator.register(new BackupScheduleReconciler(events, clock, backupRuns));
        return operator;
    }

    /**
     * Where agents report: KELP_REPORT_URL and its CA file when set (cert-manager mode), else the
     * operator's own endpoint behind its Service (port 443, as the chart renders it), trusted
     * through the CA the operator issued.
     */
    static Optional<ReportTarget> reportTarget(OperatorSettings settings, EndpointSettings endpointSettings, OperatorEndpoint endpoint) {
        if (settings.reportUrl().isPresent()) {
            String url = settings.reportUrl().get();
            try {
                return Optional.of(new ReportTarget(url, Files.readString(settings.reportCaFile().orElseThrow())));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read KELP_REPORT_CA_FILE " + settings.reportCaFile().orElseThrow(), e);
            }
        }
        String url = "https://" + endpointSettings.service() + "." + endpointSettings.namespace() + ".svc" + AgentReportHandler.PATH;
        return Optional.of(new ReportTarget(url, endpoint.caPem()));
    }
}
