package dev.kelp.operator.walkthrough;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A kubeconfig that authenticates as a ServiceAccount with a token the API server issued for it
 * (TokenRequest, what the kubelet projects into a pod), so the operator process runs with
 * exactly the RBAC the chart gave its account. It stands in for the in-cluster configuration
 * ({@code /var/run/secrets/kubernetes.io/serviceaccount}), which needs a kubelet to mount.
 */
final class ServiceAccountKubeconfig {

    private ServiceAccountKubeconfig() {
    }

    static Path write(Kubectl kubectl, String namespace, String serviceAccount, Path dir) {
        String token = kubectl.run("create", "token", serviceAccount, "-n", namespace, "--duration", "1h").trim();
        String server = kubectl.run("config", "view", "--raw", "--minify", "-o", "jsonpath={.clusters[0].cluster.server}");
        String ca = kubectl.run("config", "view", "--raw", "--minify", "-o", "jsonpath={.clusters[0].cluster.certificate-authority-data}");
        String kubeconfig = """
            apiVersion: v1
            kind: Config
            clusters:
              - name: proving-ground
                cluster: {server: "%s", certificate-authority-data: "%s"}
            users:
              - name: %s
                user: {token: "%s"}
            contexts:
              - name: operator
                context: {cluster: proving-ground, user: %s, namespace: %s}
            current-context: operator
            """.formatted(server, ca, serviceAccount, token, serviceAccount, namespace);
        try {
            Path file = dir.resolve("operator-kubeconfig");
            Files.writeString(file, kubeconfig);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
