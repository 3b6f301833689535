package dev.kelp.operator.inject;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kelp.crds.PrintCrds;
import dev.kelp.crds.v1alpha1.SeaweedfsSpec;
import dev.kelp.crds.v1alpha1.StoragePolicy;
import dev.kelp.crds.v1alpha1.StoragePolicySpec;
import dev.kelp.testkit.TestCluster;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Pods that ask for an agent but were admitted with no webhook registered (what failurePolicy
 * Ignore lets through while the operator is down) are found, counted per policy, and get a
 * Warning event on the real pod.
 */
class UninjectedPodDetectorIT {

    private static final String NAMESPACE = "detector-it";

    private static KubernetesClient client;
    private static PolicyCatalog catalog;
    private static UninjectedPodDetector detector;
    private static final Set<String> changed = ConcurrentHashMap.newKeySet();

    @BeforeAll
    static void startDetector() {
        client = TestCluster.client();
        TestCluster.installCrd(client, PrintCrds.read(PrintCrds.RESOURCES.getFirst()));
        TestCluster.createNamespace(client, NAMESPACE);
        // No webhook may call anyone here: this is the state of a cluster whose operator was down.
        assertThat(client.admissionRegistration().v1().mutatingWebhookConfigurations()
            .withLabel(InjectionContract.MANAGED_BY_LABEL, InjectionContract.MANAGED_BY).list().getItems()).isEmpty();
        client.resources(StoragePolicy.class).inNamespace(NAMESPACE).resource(policy("annotated", null)).serverSideApply();
        client.resources(StoragePolicy.class).inNamespace(NAMESPACE).resource(policy("selecting", "web")).serverSideApply();
        catalog = PolicyCatalog.start(client, Duration.ofSeconds(30));
        await().atMost(Duration.ofSeconds(10)).until(() -> catalog.inNamespace(NAMESPACE).size() == 2);
        detector = new UninjectedPodDetector(catalog, new PodEvents(client), (ns, p) -> changed.add(ns + "/" + p))
            .start(client, Duration.ofMinutes(5), Duration.ofSeconds(30));
    }

    @AfterAll
    static void stop() {
        if (detector != null) {
            detector.close();
        }
        if (catalog != null) {
            catalog.close();
        }
        if (client != null) {
            client.pods().inNamespace(NAMESPACE).delete();
            client.resources(StoragePolicy.class).inNamespace(NAMESPACE).delete();
            client.close();
        }
    }

    @Test
    void anAnnotatedPodWithoutTheAgentIsCountedAndWarnedAboutUntilItIsDeleted() {
        Pod pod = create(pod("bare-0").editMetadata().addToAnnotations("kelp.dev/policy", "annotated").endMetadata().build());

        await().atMost(Duration.ofSeconds(10)).until(() -> detector.uninjected(NAMESPACE, "annotated") == 1);
        assertThat(changed).contains(NAMESPACE + "/annotated");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(client.v1().events().inNamespace(NAMESPACE).list().getItems())
            .anySatisfy(e -> {
                assertThat(e.getInvolvedObject().getUid()).isEqualTo(pod.getMetadata().getUid());
                assertThat(e.getType()).isEqualTo("Warning");
                assertThat(e.getReason()).isEqualTo(PodEvents.AGENT_NOT_INJECTED);
                assertThat(e.getMessage()).contains("StoragePolicy \"annotated\"");
            }));

        client.pods().inNamespace(NAMESPACE).withName("bare-0").withGracePeriod(0).delete();
        await().atMost(Duration.ofSeconds(10)).until(() -> detector.uninjected(NAMESPACE, "annotated") == 0);
    }

    @Test
    void aPodSelectedByAPodSelectorCountsButAPodWithTheAgentDoesNot() {
        create(pod("web-0").editMetadata().addToLabels("app", "web").endMetadata().build());
        create(pod("web-1").editMetadata().addToLabels("app", "web").endMetadata()
            .editSpec().addNewInitContainer().withName("kelp-agent").withImage("agent").withRestartPolicy("Always").endInitContainer().endSpec()
            .build());
        create(pod("other-0").editMetadata().addToLabels("app", "other").endMetadata().build());

        await().atMost(Duration.ofSeconds(10)).until(() -> detector.uninjected(NAMESPACE, "selecting") == 1);
        // Give the informer time to deliver the other two pods too, then check they did not count.
        await().pollDelay(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> true);
        assertThat(detector.uninjected(NAMESPACE, "selecting")).isEqualTo(1);
    }

    private static Pod create(Pod pod) {
        return client.pods().inNamespace(NAMESPACE).resource(pod).create();
    }

    private static PodBuilder pod(String name) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace(NAMESPACE).endMetadata()
            .withNewSpec().addNewContainer().withName("app").withImage("busybox").endContainer().endSpec();
    }

    private static StoragePolicy policy(String name, String app) {
        var policy = new StoragePolicy();
        policy.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NAMESPACE).build());
        var seaweedfs = new SeaweedfsSpec();
        seaweedfs.setEndpoint("http://seaweedfs-s3.storage:8333");
        seaweedfs.setCredentialsSecret("s3");
        var spec = new StoragePolicySpec();
        spec.setSeaweedfs(seaweedfs);
        spec.setBuckets(List.of("files"));
        if (app != null) {
            spec.setPodSelector(new LabelSelectorBuilder().addToMatchLabels("app", app).build());
        }
        policy.setSpec(spec);
        return policy;
    }
}
