package dev.kelp.operator.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * How the operator process is set up, read once from its environment (the chart sets these).
 *
 * @param namespace        {@code KELP_OPERATOR_NAMESPACE}: where the operator runs and keeps its leader
 *                         Lease; default: the pod's own namespace from the service account, else {@code kelp-system}
 * @param identity         {@code KELP_OPERATOR_IDENTITY}: this replica's name in the Lease and on Events; default {@code HOSTNAME}
 * @param opsPort          {@code KELP_OPS_PORT}: plain-HTTP port of /healthz, /readyz and /metrics; default {@value #DEFAULT_OPS_PORT}
 * @param reportUrl        {@code KELP_REPORT_URL}: the HTTPS url agents send mode reports to, rendered into every
 *                         policy's ConfigMap; absent: agents are not told to report
 * @param reportCaFile     {@code KELP_REPORT_CA_FILE}: PEM file of the CA agents trust for reportUrl
 * @param leaderElection   {@code KELP_LEADER_ELECTION}: {@code false} turns leader election off (one replica only); default on
 * @param resyncInterval   {@code KELP_RESYNC_INTERVAL}: seconds between reconciles of a policy with no event,
 *                         which is also how often its Secrets are looked up; default 60
 */
public record OperatorSettings(
    String namespace,
    String identity,
    int opsPort,
    Optional<String> reportUrl,
    Optional<Path> reportCaFile,
    boolean leaderElection,
    Duration resyncInterval) {

    public static final int DEFAULT_OPS_PORT = 8081;
    public static final String LEASE_NAME = "kelp-operator";
    static final Path SERVICE_ACCOUNT_NAMESPACE = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/namespace");

    public static OperatorSettings fromEnvironment() {
        return from(System.getenv());
    }

    public static OperatorSettings from(Map<String, String> env) {
        String namespace = value(env, "KELP_OPERATOR_NAMESPACE").orElseGet(OperatorSettings::podNamespace);
        String identity = value(env, "KELP_OPERATOR_IDENTITY").or(() -> value(env, "HOSTNAME")).orElse("kelp-operator");
        int port = value(env, "KELP_OPS_PORT").map(p -> parse("KELP_OPS_PORT", p)).orElse(DEFAULT_OPS_PORT);
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("KELP_OPS_PORT must be a port number, not " + port);
        }
        int resync = value(env, "KELP_RESYNC_INTERVAL").map(s -> parse("KELP_RESYNC_INTERVAL", s)).orElse(60);
        if (resync < 1) {
            throw new IllegalArgumentException("KELP_RESYNC_INTERVAL must be at least 1 (seconds), not " + resync);
        }
        Optional<String> reportUrl = value(env, "KELP_REPORT_URL");
        Optional<Path> caFile = value(env, "KELP_REPORT_CA_FILE").map(Path::of);
        if (reportUrl.isPresent() && !reportUrl.get().startsWith("https://")) {
            throw new IllegalArgumentException("KELP_REPORT_URL must be an https:// url, not " + reportUrl.get());
        }
        if (reportUrl.isPresent() != caFile.isPresent()) {
            throw new IllegalArgumentException("KELP_REPORT_URL and KELP_REPORT_CA_FILE go together: agents must know whom to trust");
        }
        return new OperatorSettings(namespace, identity,
            port, reportUrl, caFile,
            !"false".equalsIgnoreCase(value(env, "KELP_LEADER_ELECTION").orElse("true")),
            Duration.ofSeconds(resync));
    }

    /** Settings for a test or an embedded run: no leader election, no ops port, no report target. */
    public static OperatorSettings embedded(String namespace) {
        return new OperatorSettings(namespace, "kelp-operator", 0, Optional.empty(), Optional.empty(),
            false, Duration.ofSeconds(60));
    }

    public OperatorSettings withLeaderElection(boolean on) {
        return new OperatorSettings(namespace, identity, opsPort, reportUrl, reportCaFile, on, resyncInterval);
    }

    public OperatorSettings withResyncInterval(Duration interval) {
        return new OperatorSettings(namespace, identity, opsPort, reportUrl, reportCaFile, leaderElection, interval);
    }

    private static Optional<String> value(Map<String, String> env, String name) {
        return Optional.ofNullable(env.get(name)).map(String::strip).filter(v -> !v.isEmpty());
    }

    private static int parse(String name, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, not " + value, e);
        }
    }

    private static String podNamespace() {
        try {
            return Files.isReadable(SERVICE_ACCOUNT_NAMESPACE) ? Files.readString(SERVICE_ACCOUNT_NAMESPACE).strip() : "kelp-system";
        } catch (java.io.IOException e) {
            return "kelp-system";
        }
    }
}
