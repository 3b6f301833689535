package dev.kelp.crds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.kelp.crds.v1alpha1.SeaweedfsSpec;
import dev.kelp.crds.v1alpha1.StoragePolicy;
import dev.kelp.crds.v1alpha1.StoragePolicySpec;
import dev.kelp.testkit.TestCluster;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The generated CRD on the proving ground's real kube-apiserver and etcd. */
class StoragePolicyCrdIT {

    private static final String NAMESPACE = "crd-it";
    private static KubernetesClient client;

    @BeforeAll
    static void installCrd() {
        client = TestCluster.client();
        TestCluster.installCrd(client, PrintCrds.read(PrintCrds.RESOURCES.getFirst()));
        TestCluster.createNamespace(client, NAMESPACE);
    }

    @AfterAll
    static void close() {
        if (client != null) {
            client.resources(StoragePolicy.class).inNamespace(NAMESPACE).delete();
            client.close();
        }
    }

    @Test
    void aStoragePolicyIsStoredAndItsChangesAreWatched() {
        List<String> seen = new CopyOnWriteArrayList<>();
        var policies = client.resources(StoragePolicy.class).inNamespace(NAMESPACE);
        try (var watch = policies.watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, StoragePolicy resource) {
                seen.add(action + " " + resource.getMetadata().getName() + " " + resource.getSpec().getBuckets());
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        })) {
            var policy = new StoragePolicy();
            policy.setMetadata(new ObjectMetaBuilder().withName("cards").withNamespace(NAMESPACE).build());
            policy.setSpec(spec(List.of("templates")));
            policies.resource(policy).create();

            policies.withName("cards").edit(p -> {
                p.getSpec().setBuckets(List.of("templates", "backgrounds"));
                return p;
            });

            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(seen).containsSubsequence(
                "ADDED cards [templates]",
                "MODIFIED cards [templates, backgrounds]"));
        }
        var stored = policies.withName("cards").get();
        assertThat(stored.getMetadata().getGeneration()).isEqualTo(2L);
    }

    @Test
    void theApiServerRejectsAPolicyWithoutBuckets() {
        var policy = new StoragePolicy();
        policy.setMetadata(new ObjectMetaBuilder().withName("no-buckets").withNamespace(NAMESPACE).build());
        policy.setSpec(spec(null));

        var error = catchThrowableOfType(KubernetesClientException.class,
            () -> client.resources(StoragePolicy.class).inNamespace(NAMESPACE).resource(policy).create());

        assertThat(error.getCode()).isEqualTo(422);
        assertThat(error.getMessage()).contains("spec.buckets");
        assertThat(client.resources(StoragePolicy.class).inNamespace(NAMESPACE).withName("no-buckets").get()).isNull();
    }

    private static StoragePolicySpec spec(List<String> buckets) {
        var seaweedfs = new SeaweedfsSpec();
        seaweedfs.setEndpoint("http://seaweedfs-s3.storage:8333");
        seaweedfs.setCredentialsSecret("seaweedfs-credentials");
        var spec = new StoragePolicySpec();
        spec.setSeaweedfs(seaweedfs);
        spec.setBuckets(buckets);
        return spec;
    }
}
