package dev.kelp.operator.chart;

import dev.kelp.testkit.ProvingGround;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A client that acts as a ServiceAccount by impersonation (the proving ground's admin may
 * impersonate), so the API server's authorizer judges every call by that account's RBAC, as
 * it would the operator's pod. No kubelet runs here to mount the account's token into a pod.
 */
final class ServiceAccountClient {

    private ServiceAccountClient() {
    }

    static KubernetesClient of(String namespace, String name) {
        String kubeconfig = ProvingGround.require("KUBECONFIG");
        try {
            Config config = Config.fromKubeconfig(null, Files.readString(Path.of(kubeconfig)), kubeconfig);
            config.setImpersonateUsername("system:serviceaccount:" + namespace + ":" + name);
            config.setImpersonateGroups("system:serviceaccounts", "system:serviceaccounts:" + namespace, "system:authenticated");
            return new KubernetesClientBuilder().withConfig(config).build();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + kubeconfig, e);
        }
    }
}
