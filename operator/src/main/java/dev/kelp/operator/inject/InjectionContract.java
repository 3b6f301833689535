package dev.kelp.operator.inject;

/** The names docs/operator.md fixes between the webhook, the reconciler and the agent. */
public final class InjectionContract {

    /** Annotation by which a pod names its policy; it wins over any policy's podSelector. */
    public static final String POLICY_ANNOTATION = "kelp.dev/policy";
    /** Label the webhook puts on an injected pod, so policies' pods can be selected. */
    public static final String POLICY_LABEL = "kelp.dev/policy";
    /** Annotation on an injected pod: the config hash it was injected with. */
    public static final String INJECTED_ANNOTATION = "kelp.dev/injected";
    /** Annotation on the agent ConfigMap: SHA-256 of its agent.yml. */
    public static final String CONFIG_HASH_ANNOTATION = "kelp.dev/config-hash";
    public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
    public static final String MANAGED_BY = "kelp-operator";

    public static final String CONTAINER = "kelp-agent";
    public static final String CONFIG_VOLUME = "kelp-config";
    public static final String FALLBACK_VOLUME = "kelp-fallback";
    /** A writable /tmp, since the agent's root filesystem is read-only. */
    public static final String TMP_VOLUME = "kelp-tmp";
    public static final String CONFIG_DIR = "/etc/kelp";
    public static final String CONFIG_FILE = CONFIG_DIR + "/agent.yml";
    public static final String FALLBACK_DIR = "/var/lib/kelp";
    /** The policy's encryption key Secret, mounted (not passed as env) so a rotation reaches running agents. */
    public static final String ENCRYPTION_VOLUME = "kelp-encryption";
    public static final String ENCRYPTION_DIR = "/etc/kelp-encryption";
    /**
     * The credentials Secrets of the policy's backup and cold-storage targets on other S3
     * endpoints, each at {@code TARGETS_DIR/<secret>/accessKey|secretKey}, mounted (not copied)
     * so the operator needs no right to create Secrets and a rotated key reaches running agents.
     */
    public static final String TARGETS_VOLUME = "kelp-targets";
    public static final String TARGETS_DIR = "/etc/kelp-targets";
    /** Annotation on the agent ConfigMap: the target credentials Secrets, comma-separated, for the webhook to mount. */
    public static final String TARGET_SECRETS_ANNOTATION = "kelp.dev/target-secrets";
    /** The policy's principals Secret, mounted (not copied into the ConfigMap) so the agent re-reads a change. */
    public static final String ACCESS_VOLUME = "kelp-access";
    public static final String ACCESS_DIR = "/etc/kelp-access";
    /** The entry of the principals Secret the agent reads (docs/access-control.md). */
    public static final String PRINCIPALS_ENTRY = "principals.yaml";

    /** Where the agent image keeps its jar; the container's command runs it. */
    public static final String AGENT_JAR = "/opt/kelp/kelp-agent.jar";
    public static final int DEFAULT_AGENT_PORT = 8780;

    private InjectionContract() {
    }

    /** The ConfigMap the reconciler renders for a policy. */
    public static String configMapName(String policy) {
        return "kelp-agent-" + policy;
    }
}
