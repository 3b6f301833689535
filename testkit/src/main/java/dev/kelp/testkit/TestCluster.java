package dev.kelp.testkit;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The proving ground's real kube-apiserver (no kubelet: pods are stored, never run).
 * Tests get a client for the admin kubeconfig the scripts wrote, install CRDs and make
 * their own namespaces.
 */
public final class TestCluster {

    private TestCluster() {
    }

    public static KubernetesClient client() {
        String kubeconfig = ProvingGround.require("KUBECONFIG");
        try {
            Config config = Config.fromKubeconfig(null, Files.readString(Path.of(kubeconfig)), kubeconfig);
            return new KubernetesClientBuilder().withConfig(config).build();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + kubeconfig, e);
        }
    }

    /** Applies a CRD (server-side, so reruns are no-ops) and waits until the API server serves it. */
    public static void installCrd(KubernetesClient client, String crdYaml) {
        var crd = Serialization.unmarshal(crdYaml, CustomResourceDefinition.class);
        client.apiextensions().v1().customResourceDefinitions().resource(crd).forceConflicts().serverSideApply();
        client.apiextensions().v1().customResourceDefinitions().withName(crd.getMetadata().getName())
            .waitUntilCondition(c -> c != null && c.getStatus() != null && c.getStatus().getConditions() != null && c.getStatus().getConditions().stream()
                .anyMatch(cond -> "Established".equals(cond.getType()) && "True".equals(cond.getStatus())),
                30, TimeUnit.SECONDS);
    }

    public static void createNamespace(KubernetesClient client, String name) {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
            .serverSideApply();
    }
}
