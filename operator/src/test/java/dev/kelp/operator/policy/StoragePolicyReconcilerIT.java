package dev.kelp.operator.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kelp.crds.PrintCrds;
import dev.kelp.crds.v1alpha1.SeaweedfsSpec;
import dev.kelp.crds.v1alpha1.StoragePolicy;
import dev.kelp.crds.v1alpha1.StoragePolicySpec;
import dev.kelp.operator.KelpOperator;
import dev.kelp.testkit.TestCluster;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The operator, in this JVM, reconciling policies on the proving ground's real kube-apiserver. */
class StoragePolicyReconcilerIT {

    private static final String NAMESPACE = "reconciler-it";
    private static KubernetesClient client;
    private static Operator operator;

    @BeforeAll
    static void startOperator() {
        client = TestCluster.client();
        TestCluster.installCrd(client, PrintCrds.read(PrintCrds.RESOURCES.getFirst()));
        TestCluster.createNamespace(client, NAMESPACE);
        operator = KelpOperator.create(client);
        operator.start();
    }

    @AfterAll
    static void stopOperator() {
        if (operator != null) {
            operator.stop();
        }
        if (client != null) {
            client.resources(StoragePolicy.class).inNamespace(NAMESPACE).delete();
            client.close();
        }
    }

    @Test
    void policyWithItsSecretBecomesReadyForItsGeneration() {
        client.secrets().inNamespace(NAMESPACE).resource(new SecretBuilder()
            .withNewMetadata().withName("s3-creds").endMetadata()
            .addToStringData("accessKey", "a").addToStringData("secretKey", "b")
            .build()).serverSideApply();
        client.resources(StoragePolicy.class).inNamespace(NAMESPACE).resource(policy("with-secret", "s3-creds")).create();

        var ready = awaitReady("with-secret");

        assertThat(ready.getStatus()).isEqualTo("True");
        assertThat(ready.getObservedGeneration()).isEqualTo(1L);
    }

    @Test
    void policyWithoutItsSecretSaysWhichSecretIsMissing() {
        client.resources(StoragePolicy.class).inNamespace(NAMESPACE).resource(policy("no-secret", "absent-creds")).create();

        var ready = awaitReady("no-secret");

        assertThat(ready.getStatus()).isEqualTo("False");
        assertThat(ready.getReason()).isEqualTo("SecretMissing");
        assertThat(ready.getMessage()).contains("absent-creds");
    }

    private static Condition awaitReady(String name) {
        var policies = client.resources(StoragePolicy.class).inNamespace(NAMESPACE);
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            var p = policies.withName(name).get();
            return p.getStatus() != null && p.getStatus().getConditions().stream().anyMatch(c -> "Ready".equals(c.getType()));
        });
        return policies.withName(name).get().getStatus().getConditions().stream()
            .filter(c -> "Ready".equals(c.getType())).findFirst().orElseThrow();
    }

    private static StoragePolicy policy(String name, String secret) {
        var policy = new StoragePolicy();
        policy.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NAMESPACE).build());
        var seaweedfs = new SeaweedfsSpec();
        seaweedfs.setEndpoint("http://seaweedfs-s3.storage:8333");
        seaweedfs.setCredentialsSecret(secret);
        var spec = new StoragePolicySpec();
        spec.setSeaweedfs(seaweedfs);
        spec.setBuckets(List.of("templates"));
        policy.setSpec(spec);
        return policy;
    }
}
