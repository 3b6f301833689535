package dev.kelp.operator.inject;

import dev.kelp.crds.v1alpha1.MissingPolicyAction;
import dev.kelp.crds.v1alpha1.StoragePolicy;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Decides, for one pod at admission, whether it gets the agent and with what. Pure over its
 * {@link Policies}: no I/O of its own, so every answer the webhook can give is unit-tested.
 */
public final class PodInjector {

    private final Policies policies;
    private final AgentDefaults defaults;
    private final MissingPolicyAction whenPolicyMissing;

    /**
     * @param whenPolicyMissing what to do with a pod naming a policy that does not exist: the
     *                          policy's own missingPolicyAction cannot say, so the operator does
     */
    public PodInjector(Policies policies, AgentDefaults defaults, MissingPolicyAction whenPolicyMissing) {
        this.policies = policies;
        this.defaults = defaults;
        this.whenPolicyMissing = whenPolicyMissing;
    }

    public InjectionDecision decide(Pod pod, String namespace) {
        if (hasAgent(pod)) {
            return new InjectionDecision.Untouched("pod already has a " + InjectionContract.CONTAINER + " container");
        }
        var choice = PolicyChoice.of(pod.getMetadata(), () -> policies.inNamespace(namespace));
        return switch (choice) {
            case PolicyChoice.None none -> new InjectionDecision.Untouched("no StoragePolicy selects this pod");
            case PolicyChoice.Ambiguous a -> new InjectionDecision.Refuse("pod is selected by the podSelector of more than one StoragePolicy ("
                + String.join(", ", a.policies()) + ") in namespace \"" + namespace + "\": annotate it with "
                + InjectionContract.POLICY_ANNOTATION + ": <name> to choose one");
            case PolicyChoice.Selected s -> inject(pod, namespace, s.policy());
            case PolicyChoice.Named n -> policies.policy(namespace, n.policy())
                .map(p -> inject(pod, namespace, p))
                .orElseGet(() -> unavailable(whenPolicyMissing, n.policy(),
                    "StoragePolicy \"" + n.policy() + "\" not found in namespace \"" + namespace + "\""));
        };
    }

    /** True when the pod carries the agent already, as an init container or (hand-made) container. */
    public static boolean hasAgent(Pod pod) {
        var spec = pod.getSpec();
        if (spec == null) {
            return false;
        }
        return Stream.concat(stream(spec.getInitContainers()), stream(spec.getContainers()))
            .anyMatch(c -> InjectionContract.CONTAINER.equals(c.getName()));
    }

    private InjectionDecision inject(Pod pod, String namespace, StoragePolicy policy) {
        String name = policy.getMetadata().getName();
        var config = policies.agentConfig(namespace, name);
        if (config.isEmpty()) {
            var action = policy.getSpec().getMissingPolicyAction() == null ? MissingPolicyAction.REJECT : policy.getSpec().getMissingPolicyAction();
            return unavailable(action, name, "StoragePolicy \"" + name + "\" in namespace \"" + namespace + "\" has no agent configuration yet (ConfigMap \""
                + InjectionContract.configMapName(name) + "\" not found); the operator renders it when it reconciles the policy");
        }
        var targetSecrets = AgentVolumes.targetSecrets(config.get());
        var patch = PodPatch.of(pod, AgentSidecar.container(policy, defaults, !targetSecrets.isEmpty()), AgentVolumes.of(policy, targetSecrets),
            Map.of(InjectionContract.POLICY_LABEL, name),
            Map.of(InjectionContract.INJECTED_ANNOTATION, configHash(config.get())),
            defaults.drain());
        return new InjectionDecision.Inject(name, patch);
    }

    private static InjectionDecision unavailable(MissingPolicyAction action, String policy, String reason) {
        return action == MissingPolicyAction.ADMIT
            ? new InjectionDecision.AdmitWithoutAgent(policy, reason + "; admitted without the Kelp agent")
            : new InjectionDecision.Refuse(reason);
    }

    /** The reconciler's hash annotation; computed the same way if a hand-made ConfigMap lacks it. */
    static String configHash(ConfigMap config) {
        var annotations = config.getMetadata().getAnnotations();
        if (annotations != null && annotations.get(InjectionContract.CONFIG_HASH_ANNOTATION) != null) {
            return annotations.get(InjectionContract.CONFIG_HASH_ANNOTATION);
        }
        String yml = config.getData() == null ? "" : config.getData().getOrDefault("agent.yml", "");
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(yml.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Stream<Container> stream(List<Container> containers) {
        return containers == null ? Stream.empty() : containers.stream();
    }
}
