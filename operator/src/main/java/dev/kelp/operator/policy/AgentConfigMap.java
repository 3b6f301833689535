package dev.kelp.operator.policy;

import dev.kelp.crds.v1alpha1.StoragePolicy;
import dev.kelp.operator.inject.InjectionContract;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** The ConfigMap {@code kelp-agent-<policy>} as docs/operator.md specifies it, built from a rendered agent.yml. */
public final class AgentConfigMap {

    public static final String PREFIX = "kelp-agent-";
    public static final String CONFIG_KEY = "agent.yml";
    public static final String POLICY_LABEL = "kelp.dev/policy";
    public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
    public static final String MANAGED_BY = "kelp-operator";
    public static final String HASH_ANNOTATION = "kelp.dev/config-hash";

    /** Selects the ConfigMaps this operator renders, for the informer that watches them. */
    public static final String SELECTOR = MANAGED_BY_LABEL + "=" + MANAGED_BY + "," + POLICY_LABEL;

    private AgentConfigMap() {
    }

    public static String name(String policy) {
        return PREFIX + policy;
    }

    public static ConfigMap desired(StoragePolicy policy, String agentYml, Optional<ReportTarget> report) {
        return desired(policy, agentYml, report, Set.of());
    }

    /** @param targetSecrets what the webhook mounts for the targets ({@link InjectionContract#TARGET_SECRETS_ANNOTATION}) */
    public static ConfigMap desired(StoragePolicy policy, String agentYml, Optional<ReportTarget> report, Set<String> targetSecrets) {
        var meta = policy.getMetadata();
        var data = new LinkedHashMap<String, String>();
        data.put(CONFIG_KEY, agentYml);
        report.ifPresent(r -> data.put(ReportTarget.CA_KEY, r.caPem()));
        return new ConfigMapBuilder()
            .withNewMetadata()
                .withName(name(meta.getName()))
                .withNamespace(meta.getNamespace())
                .addToLabels(POLICY_LABEL, meta.getName())
                .addToLabels(MANAGED_BY_LABEL, MANAGED_BY)
                .addToAnnotations(HASH_ANNOTATION, hash(agentYml))
                .addToAnnotations(targetSecrets.isEmpty() ? Map.of() : Map.of(InjectionContract.TARGET_SECRETS_ANNOTATION,
                    String.join(",", new TreeSet<>(targetSecrets))))
                .withOwnerReferences(new OwnerReferenceBuilder()
                    .withApiVersion(policy.getApiVersion()).withKind(policy.getKind())
                    .withName(meta.getName()).withUid(meta.getUid())
                    .withController(true).withBlockOwnerDeletion(true)
                    .build())
            .endMetadata()
            .withData(data)
            .build();
    }

    /** SHA-256 of agent.yml, lower-case hex: what the webhook stamps on pods as kelp.dev/injected. */
    public static String hash(String agentYml) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(agentYml.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /** True when what is stored already says what {@code desired} says (data, labels, hash, owner). */
    static boolean upToDate(ConfigMap stored, ConfigMap desired) {
        if (stored == null) {
            return false;
        }
        var s = stored.getMetadata();
        var d = desired.getMetadata();
        return desired.getData().equals(stored.getData())
            && s.getLabels() != null && s.getLabels().entrySet().containsAll(d.getLabels().entrySet())
            && s.getAnnotations() != null && d.getAnnotations().get(HASH_ANNOTATION).equals(s.getAnnotations().get(HASH_ANNOTATION))
            && s.getOwnerReferences() != null && s.getOwnerReferences().stream()
                .anyMatch(o -> d.getOwnerReferences().getFirst().getUid().equals(o.getUid()));
    }
}
