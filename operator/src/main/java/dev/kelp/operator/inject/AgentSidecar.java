package dev.kelp.operator.inject;

import static dev.kelp.operator.inject.InjectionContract.CONFIG_DIR;
import static dev.kelp.operator.inject.InjectionContract.CONFIG_FILE;
import static dev.kelp.operator.inject.InjectionContract.CONFIG_VOLUME;
import static dev.kelp.operator.inject.InjectionContract.CONTAINER;
import static dev.kelp.operator.inject.InjectionContract.FALLBACK_DIR;
import static dev.kelp.operator.inject.InjectionContract.FALLBACK_VOLUME;
import static dev.kelp.operator.inject.InjectionContract.TMP_VOLUME;

import dev.kelp.crds.v1alpha1.StoragePolicy;
import dev.kelp.crds.v1alpha1.StoragePolicySpec;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.util.ArrayList;
import java.util.List;

/**
 * The agent's container as the webhook injects it: a native sidecar (an init container with
 * restartPolicy Always) that the kubelet starts before the app and stops after it. Pure: the
 * same policy and defaults always give the same container.
 */
public final class AgentSidecar {

    /**
     * The command the container runs, explicit so nothing depends on the image's entrypoint:
     * the heap follows the memory limit, and the jar is where the agent image puts it. The heap
     * is 40% of the limit because the rest of the JVM needs about 250 MiB: with the heap at its
     * largest, RSS under load was 491 MiB at 40% of 512 MiB, 521 MiB at 50% and 641 MiB at 75%
     * ({@code scripts/bench-memory}, docs/benchmarks.md).
     */
    public static final List<String> COMMAND = List.of("java", "-XX:MaxRAMPercentage=40", "-XX:+ExitOnOutOfMemoryError", "-jar", InjectionContract.AGENT_JAR);

    static final String HEALTH_PORT_NAME = "kelp-health";

    private AgentSidecar() {
    }

    public static Container container(StoragePolicy policy, AgentDefaults defaults) {
        return container(policy, defaults, false);
    }

    /** @param targetCredentials whether the pod has the target credentials volume to mount */
    public static Container container(StoragePolicy policy, AgentDefaults defaults, boolean targetCredentials) {
        StoragePolicySpec spec = policy.getSpec();
        var agent = spec.getAgent();
        int port = agent != null && agent.getPort() != null ? agent.getPort() : InjectionContract.DEFAULT_AGENT_PORT;
        int healthPort = healthPort(port);
        String image = agent != null && agent.getImage() != null && !agent.getImage().isBlank() ? agent.getImage() : defaults.image();
        var resources = agent != null && agent.getResources() != null ? agent.getResources() : defaults.resources();
        return new ContainerBuilder()
            .withName(CONTAINER)
            .withImage(image)
            .withRestartPolicy("Always")
            .withCommand(COMMAND)
            .withEnv(env(policy, port, healthPort))
            .addNewPort().withName(HEALTH_PORT_NAME).withContainerPort(healthPort).withProtocol("TCP").endPort()
            .addNewVolumeMount().withName(CONFIG_VOLUME).withMountPath(CONFIG_DIR).withReadOnly(true).endVolumeMount()
            .addNewVolumeMount().withName(FALLBACK_VOLUME).withMountPath(FALLBACK_DIR).endVolumeMount()
            .addNewVolumeMount().withName(TMP_VOLUME).withMountPath("/tmp").endVolumeMount()
            .addAllToVolumeMounts(AgentVolumes.encryption(policy)
                .map(v -> new VolumeMountBuilder().withName(v.getName()).withMountPath(InjectionContract.ENCRYPTION_DIR).withReadOnly(true).build())
                .stream().toList())
            .addAllToVolumeMounts(targetCredentials
                ? List.of(new VolumeMountBuilder().withName(InjectionContract.TARGETS_VOLUME).withMountPath(InjectionContract.TARGETS_DIR).withReadOnly(true).build())
                : List.of())
            .addAllToVolumeMounts(AgentVolumes.access(policy)
                .map(v -> new VolumeMountBuilder().withName(v.getName()).withMountPath(InjectionContract.ACCESS_DIR).withReadOnly(true).build())
                .stream().toList())
            // The JVM needs a few seconds to start on a small CPU request: the startup probe
            // gives it two minutes, and until it passes the app does not start (native sidecar).
            .withStartupProbe(probe("/health/liveness", 1, 2, 60))
            .withReadinessProbe(probe("/health/readiness", 0, 5, 3))
            .withLivenessProbe(probe("/health/liveness", 0, 10, 3))
            .withResources(resources)
            .withSecurityContext(new SecurityContextBuilder()
                .withRunAsNonRoot(true)
                .withRunAsUser(defaults.runAsUser())
                .withRunAsGroup(defaults.runAsUser())
                .withReadOnlyRootFilesystem(true)
                .withAllowPrivilegeEscalation(false)
                .withPrivileged(false)
                .withNewCapabilities().withDrop("ALL").endCapabilities()
                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                .build())
            .withTerminationMessagePolicy("FallbackToLogsOnError")
            .build();
    }

    /**
     * The agent serves its API on loopback only, but the kubelet probes the pod IP: health is
     * served on the next port, on every interface, and nothing but health answers there.
     */
    public static int healthPort(int agentPort) {
        return agentPort + 1;
    }

    private static Probe probe(String path, int initialDelay, int period, int failures) {
        return new ProbeBuilder()
            .withNewHttpGet().withPath(path).withPort(new IntOrString(HEALTH_PORT_NAME)).withScheme("HTTP").endHttpGet()
            .withInitialDelaySeconds(initialDelay).withPeriodSeconds(period).withTimeoutSeconds(2).withFailureThreshold(failures)
            .build();
    }

    private static List<EnvVar> env(StoragePolicy policy, int port, int healthPort) {
        StoragePolicySpec spec = policy.getSpec();
        var env = new ArrayList<EnvVar>();
        env.add(literal("MICRONAUT_CONFIG_FILES", CONFIG_FILE));
        env.add(literal("KELP_AGENT_PORT", Integer.toString(port)));
        env.add(literal("KELP_AGENT_HEALTH_PORT", Integer.toString(healthPort)));
        env.add(field("KELP_AGENT_ID", "metadata.name"));
        env.add(field("KELP_POD_NAME", "metadata.name"));
        env.add(field("KELP_POD_NAMESPACE", "metadata.namespace"));
        env.add(field("KELP_POD_UID", "metadata.uid"));
        env.add(literal("KELP_POLICY", policy.getMetadata().getName()));
        if (spec.getSeaweedfs() != null && spec.getSeaweedfs().getCredentialsSecret() != null) {
            String s = spec.getSeaweedfs().getCredentialsSecret();
            env.add(secret("KELP_SEAWEEDFS_ACCESS_KEY", s, "accessKey", false));
            env.add(secret("KELP_SEAWEEDFS_SECRET_KEY", s, "secretKey", false));
        }
        if (spec.getMetadata() != null) {
            String s = spec.getMetadata().getConnectionSecret();
            env.add(secret("KELP_METADATA_URL", s, "url", false));
            env.add(secret("KELP_METADATA_USERNAME", s, "username", false));
            env.add(secret("KELP_METADATA_PASSWORD", s, "password", false));
        }
        if (spec.getEvents() != null) {
            String s = spec.getEvents().getConnectionSecret();
            env.add(secret("KELP_EVENTS_CASSANDRA_CONTACT_POINTS", s, "contactPoints", false));
            env.add(secret("KELP_EVENTS_CASSANDRA_LOCAL_DATACENTER", s, "localDatacenter", false));
            env.add(secret("KELP_EVENTS_CASSANDRA_USERNAME", s, "username", true));
            env.add(secret("KELP_EVENTS_CASSANDRA_PASSWORD", s, "password", true));
        }
        if (spec.getS3() != null && spec.getS3().getCredentialsSecret() != null && !Boolean.FALSE.equals(spec.getS3().getEnabled())) {
            String s = spec.getS3().getCredentialsSecret();
            env.add(secret("KELP_S3_ACCESS_KEY_ID", s, "accessKey", false));
            env.add(secret("KELP_S3_SECRET_ACCESS_KEY", s, "secretKey", false));
        }
        if (spec.getSignedUrls() != null) {
            env.add(secret("KELP_SIGNED_URLS_KEY", spec.getSignedUrls().getKeySecret(), "key", false));
        }
        return env;
    }

    private static EnvVar literal(String name, String value) {
        return new EnvVarBuilder().withName(name).withValue(value).build();
    }

    private static EnvVar field(String name, String path) {
        return new EnvVarBuilder().withName(name).withNewValueFrom().withNewFieldRef().withApiVersion("v1").withFieldPath(path).endFieldRef().endValueFrom().build();
    }

    private static EnvVar secret(String name, String secret, String key, boolean optional) {
        return new EnvVarBuilder().withName(name).withNewValueFrom().withNewSecretKeyRef()
            .withName(secret).withKey(key).withOptional(optional ? Boolean.TRUE : null)
            .endSecretKeyRef().endValueFrom().build();
    }
}
