package dev.kelp.agent.report;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Where and how often the agent reports its mode to the operator, and who it is. Without
 * {@code kelp.report.url} no reporting bean exists. The pod identity comes from the
 * environment the webhook sets through the downward API ({@code KELP_POLICY},
 * {@code KELP_POD_NAMESPACE}, {@code KELP_POD_NAME}, {@code KELP_POD_UID}) unless the
 * properties name it.
 *
 * @param url          the operator's {@code /v1/reports} endpoint, {@code https://} in a cluster
 * @param caFile       PEM file of the CA(s) that signed the operator's certificate; absent: the JDK's trust store
 * @param heartbeat    the report interval when nothing changes (each one jittered by ±10%)
 * @param debounce     the shortest time between two reports, so a flapping agent sends a bounded rate
 * @param timeout      connect and response timeout of one report
 * @param policy       the StoragePolicy this agent was injected for
 * @param podNamespace the pod's namespace
 * @param podName      the pod's name
 * @param podUid       the pod's UID, which the operator checks against the API server
 */
@ConfigurationProperties("kelp.report")
@Requires(property = "kelp.report.url")
public record ReportConfig(
    @NotNull URI url,
    @Nullable Path caFile,
    @Bindable(defaultValue = "60s") @NotNull Duration heartbeat,
    @Bindable(defaultValue = "1s") @NotNull Duration debounce,
    @Bindable(defaultValue = "5s") @NotNull Duration timeout,
    @Nullable String policy,
    @Nullable String podNamespace,
    @Nullable String podName,
    @Nullable String podUid) {

    public ReportConfig {
        String scheme = url == null ? null : url.getScheme();
        if (!"https".equals(scheme) && !"http".equals(scheme)) {
            throw new IllegalArgumentException("kelp.report.url must be an http:// or https:// URL, was " + url);
        }
        if (heartbeat.isNegative() || heartbeat.isZero() || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("kelp.report.heartbeat and kelp.report.timeout must be positive");
        }
        if (debounce.isNegative() || debounce.compareTo(heartbeat) > 0) {
            throw new IllegalArgumentException("kelp.report.debounce (" + debounce + ") must be between 0 and kelp.report.heartbeat (" + heartbeat + ")");
        }
    }

    /**
     * The pod this agent runs in: the properties, else the downward-API variables. Reporting
     * without it is pointless (the operator refuses a pod it cannot find), so a missing part
     * stops the agent at startup with the name of what is missing.
     */
    PodIdentity identity(Map<String, String> env) {
        return new PodIdentity(
            required(policy, "kelp.report.policy", "KELP_POLICY", env),
            required(podNamespace, "kelp.report.pod-namespace", "KELP_POD_NAMESPACE", env),
            required(podName, "kelp.report.pod-name", "KELP_POD_NAME", env),
            required(podUid, "kelp.report.pod-uid", "KELP_POD_UID", env));
    }

    /** Who reports: the policy and the pod, as the operator looks them up. */
    record PodIdentity(String policy, String namespace, String pod, String uid) {
    }

    private static String required(String value, String property, String variable, Map<String, String> env) {
        if (value != null && !value.isBlank()) {
            return value;
        }
        String fromEnv = env.get(variable);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv;
        }
        throw new IllegalArgumentException("kelp.report.url is set but " + property + " is not (nor " + variable
            + " in the environment): the operator accepts reports only from a pod it can identify");
    }
}
