package dev.kelp.operator.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kelp.crds.PrintCrds;
import dev.kelp.crds.v1alpha1.AgentMode;
import dev.kelp.crds.v1alpha1.SeaweedfsSpec;
import dev.kelp.crds.v1alpha1.StoragePolicy;
import dev.kelp.crds.v1alpha1.StoragePolicySpec;
import dev.kelp.testkit.TestCluster;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The event source inside a real JOSDK operator on the proving ground's kube-apiserver: a
 * reconciler of StoragePolicy (a stand-in for the real one, which counts and reads the fold)
 * is triggered when the fold of the policy's agents changes, coalesced per interval, and not
 * when reports change nothing.
 */
class FleetEventSourceIT {

    private static final String NAMESPACE = "fleet-events-it";
    private static final String POLICY = "images";
    private static final Duration INTERVAL = Duration.ofSeconds(2);

    private static KubernetesClient client;
    private static PodDirectory pods;
    private static AgentRegistry registry;
    private static Operator operator;
    private static final List<Reconciled> reconciled = new CopyOnWriteArrayList<>();
    private static Pod pod;

    record Reconciled(Instant at, FleetStatus fold) {
    }

    @ControllerConfiguration(name = "fleet-events-it")
    static final class FoldReadingReconciler implements Reconciler<StoragePolicy> {

        private final FleetEventSource source;
        private final FleetView fleet;

        FoldReadingReconciler(FleetEventSource source, FleetView fleet) {
            this.source = source;
            this.fleet = fleet;
        }

        @Override
        public List<EventSource<?, StoragePolicy>> prepareEventSources(EventSourceContext<StoragePolicy> context) {
            return List.of(source);
        }

        @Override
        public UpdateControl<StoragePolicy> reconcile(StoragePolicy policy, Context<StoragePolicy> context) {
            if (POLICY.equals(policy.getMetadata().getName())) {
                reconciled.add(new Reconciled(Instant.now(), fleet.of(policy.getMetadata().getNamespace(), policy.getMetadata().getName())));
            }
            return UpdateControl.noUpdate();
        }
    }

    @BeforeAll
    static void start() {
        client = TestCluster.client();
        TestCluster.installCrd(client, PrintCrds.read(PrintCrds.RESOURCES.getFirst()));
        TestCluster.createNamespace(client, NAMESPACE);
        client.pods().inNamespace(NAMESPACE).delete();
        client.resources(StoragePolicy.class).inNamespace(NAMESPACE).delete();
        await().atMost(Duration.ofSeconds(30)).until(() -> client.pods().inNamespace(NAMESPACE).list().getItems().isEmpty()
            && client.resources(StoragePolicy.class).inNamespace(NAMESPACE).list().getItems().isEmpty());

        pods = PodDirectory.create(client, NAMESPACE);
        registry = new AgentRegistry(pods, Clock.systemUTC());
        var source = new FleetEventSource(registry, INTERVAL);
        pods.start(30);
        registry.start();
        operator = new Operator(o -> o.withKubernetesClient(client).withCloseClientOnStop(false));
        operator.register(new FoldReadingReconciler(source, registry), o -> o.settingNamespaces(NAMESPACE));
        operator.start();

        client.resources(StoragePolicy.class).inNamespace(NAMESPACE).resource(policy()).create();
        pod = client.pods().inNamespace(NAMESPACE).resource(new PodBuilder()
            .withNewMetadata().withName("thumbnailer-0").addToLabels(PodDirectory.POLICY_LABEL, POLICY).endMetadata()
            .withNewSpec().addNewContainer().withName("app").withImage("example/app").endContainer().endSpec()
            .build()).create();
    }

    @AfterAll
    static void stop() {
        if (operator != null) {
            operator.stop();
        }
        if (registry != null) {
            registry.close();
        }
        if (pods != null) {
            pods.close();
        }
        if (client != null) {
            client.pods().inNamespace(NAMESPACE).delete();
            client.resources(StoragePolicy.class).inNamespace(NAMESPACE).delete();
            client.close();
        }
    }

    @Test
    void aChangedFoldTriggersTheReconcileAtMostOncePerIntervalAndAnUnchangedOneNot() throws Exception {
        // The pod appears: total 1, nobody has reported yet.
        await().atMost(Duration.ofSeconds(30)).until(() -> last().fold().total() == 1);

        offer(AgentMode.FULL, 0, 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> AgentMode.FULL.equals(last().fold().worstMode()));

        // A burst: 40 reports in two seconds, pending sync growing with each.
        int before = reconciled.size();
        Instant burstStart = Instant.now();
        for (int i = 1; i <= 40; i++) {
            offer(AgentMode.FALLBACK, i, 1 + i);
            Thread.sleep(50);
        }
        await().atMost(INTERVAL.multipliedBy(3)).until(() -> last().fold().pendingObjects() == 40);
        var duringBurst = reconciled.subList(before, reconciled.size());
        long seconds = Duration.between(burstStart, Instant.now()).toSeconds() + 1;
        System.out.printf("[FleetEventSourceIT] 40 changing reports in %d s -> %d reconciles%n", seconds, duringBurst.size());
        assertThat(duringBurst.size()).isBetween(1, (int) (seconds / INTERVAL.toSeconds()) + 2);
        assertThat(last().fold().fallback()).isEqualTo(1);

        // Reports that change nothing (same figures, a later sequence) trigger nothing.
        int settled = reconciled.size();
        for (int i = 0; i < 10; i++) {
            offer(AgentMode.FALLBACK, 40, 100 + i);
        }
        Thread.sleep(INTERVAL.multipliedBy(2).toMillis());
        assertThat(reconciled).hasSize(settled);

        // The pod goes: the fold is empty and the policy is told.
        client.pods().inNamespace(NAMESPACE).withName("thumbnailer-0").delete();
        await().atMost(Duration.ofSeconds(15)).until(() -> last().fold().equals(FleetStatus.NONE));
    }

    private static void offer(AgentMode mode, long pending, long seq) {
        var report = new AgentReport(POLICY, NAMESPACE, "thumbnailer-0", pod.getMetadata().getUid(), "thumbnailer-0", mode,
            Instant.now(), List.of(), true, pending, pending * 1024, pending == 0 ? 0 : 5, seq, Instant.now(), Duration.ofSeconds(60));
        assertThat(registry.offer(report).outcome()).isEqualTo(AgentRegistry.Outcome.ACCEPTED);
    }

    private static Reconciled last() {
        return reconciled.isEmpty() ? new Reconciled(Instant.EPOCH, new FleetStatus(-1, 0, 0, 0, 0, 0, 0, 0, null))
            : reconciled.getLast();
    }

    private static StoragePolicy policy() {
        var policy = new StoragePolicy();
        policy.setMetadata(new ObjectMetaBuilder().withName(POLICY).withNamespace(NAMESPACE).build());
        var seaweedfs = new SeaweedfsSpec();
        seaweedfs.setEndpoint("http://seaweedfs-s3.storage:8333");
        seaweedfs.setCredentialsSecret("s3-creds");
        var spec = new StoragePolicySpec();
        spec.setSeaweedfs(seaweedfs);
        spec.setBuckets(List.of("images"));
        policy.setSpec(spec);
        return policy;
    }
}
