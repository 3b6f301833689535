package dev.kelp.operator.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where the operator's HTTPS endpoint listens and where its certificate comes from, from the
 * environment the Helm chart sets.
 *
 * @param namespace            the operator's namespace (KELP_OPERATOR_NAMESPACE, else the
 *                             service account's, else kelp-system): holds the TLS Secret
 * @param service              the Service in front of the operator (KELP_WEBHOOK_SERVICE,
 *                             kelp-operator): the certificate's DNS names
 * @param port                 the port to listen on (KELP_WEBHOOK_PORT, 9443)
 * @param webhookConfiguration the MutatingWebhookConfiguration whose caBundle to keep
 *                             (KELP_WEBHOOK_CONFIGURATION, kelp-operator)
 * @param tlsSecret            the Secret of the self-managed CA and certificate
 *                             (KELP_WEBHOOK_TLS_SECRET, kelp-operator-webhook-tls)
 * @param certDir              a mounted certificate (KELP_WEBHOOK_CERT_DIR, e.g. from
 *                             cert-manager); absent: the operator is its own CA
 * @param ipAddresses          IPs the certificate also covers (KELP_WEBHOOK_IPS,
 *                             comma-separated; for tests and URL clientConfigs)
 */
public record EndpointSettings(String namespace, String service, int port, String webhookConfiguration, String tlsSecret,
                               Optional<Path> certDir, List<String> ipAddresses) {

    static final Path SERVICE_ACCOUNT_NAMESPACE = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/namespace");

    public static EndpointSettings fromEnv(Map<String, String> env) {
        return new EndpointSettings(
            get(env, "KELP_OPERATOR_NAMESPACE").orElseGet(EndpointSettings::serviceAccountNamespace),
            get(env, "KELP_WEBHOOK_SERVICE").orElse("kelp-operator"),
            Integer.parseInt(get(env, "KELP_WEBHOOK_PORT").orElse("9443")),
            get(env, "KELP_WEBHOOK_CONFIGURATION").orElse("kelp-operator"),
            get(env, "KELP_WEBHOOK_TLS_SECRET").orElse("kelp-operator-webhook-tls"),
            get(env, "KELP_WEBHOOK_CERT_DIR").map(Path::of),
            get(env, "KELP_WEBHOOK_IPS").map(v -> Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList()).orElse(List.of()));
    }

    private static Optional<String> get(Map<String, String> env, String name) {
        return Optional.ofNullable(env.get(name)).map(String::trim).filter(v -> !v.isEmpty());
    }

    private static String serviceAccountNamespace() {
        try {
            return Files.isReadable(SERVICE_ACCOUNT_NAMESPACE) ? Files.readString(SERVICE_ACCOUNT_NAMESPACE).trim() : "kelp-system";
        } catch (IOException e) {
            return "kelp-system";
        }
    }
}
