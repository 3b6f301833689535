package dev.kelp.operator.policy;

import dev.kelp.crds.v1alpha1.S3Target;
import dev.kelp.crds.v1alpha1.StoragePolicy;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What TierRule and BackupSchedule share: each names a StoragePolicy in its namespace and is
 * rendered into that policy's agent configuration by the StoragePolicy reconciler. This is
 * their side: an informer on policies that maps a policy to the resources naming it (so they
 * turn Ready the moment it is created), and the Ready condition they report.
 */
public final class PolicyAttachment {

    private PolicyAttachment() {
    }

    /** Policies, each mapped to the resources of {@code type} in its namespace that name it. */
    public static <P extends HasMetadata> InformerEventSource<StoragePolicy, P> policies(
            EventSourceContext<P> context, Class<P> type, Function<P, String> policyName) {
        return new InformerEventSource<>(InformerEventSourceConfiguration.from(StoragePolicy.class, type)
            .withName("storagepolicies")
            .withSecondaryToPrimaryMapper(policy -> context.getPrimaryCache()
                .list(policy.getMetadata().getNamespace(), p -> policy.getMetadata().getName().equals(policyName.apply(p)))
                .map(ResourceID::fromResource)
                .collect(Collectors.toSet()))
            .withPrimaryToSecondaryMapper((P p) -> Set.of(new ResourceID(policyName.apply(p), p.getMetadata().getNamespace())))
            .build(), context);
    }

    /** The Secret a target on another S3 endpoint names, with the keys the agent needs from it. */
    public static List<RequiredSecrets.Problem> targetSecret(S3Target target, String namespace, KubernetesClient client) {
        if (target == null || target.getCredentialsSecret() == null) {
            return List.of();
        }
        var requirement = new RequiredSecrets.Requirement("target.credentialsSecret", target.getCredentialsSecret(), List.of("accessKey", "secretKey"));
        return RequiredSecrets.check(List.of(requirement), name -> client.secrets().inNamespace(namespace).withName(name).get());
    }

    public static Conditions.Observation ready(Optional<StoragePolicy> policy, String policyName, String namespace,
                                               List<RequiredSecrets.Problem> problems) {
        if (policy.isEmpty() || policy.get().getMetadata().getDeletionTimestamp() != null) {
            return new Conditions.Observation(Conditions.READY, false, "PolicyNotFound",
                "StoragePolicy " + policyName + " does not exist in namespace " + namespace
                    + (policy.isPresent() ? " any more (it is being deleted)" : "") + ": nothing applies this until it does");
        }
        if (!problems.isEmpty()) {
            String reason = problems.stream().anyMatch(RequiredSecrets.Problem::secretMissing) ? "SecretMissing" : "SecretKeyMissing";
            return new Conditions.Observation(Conditions.READY, false, reason,
                String.join("; ", problems.stream().map(RequiredSecrets.Problem::describe).toList()));
        }
        return new Conditions.Observation(Conditions.READY, true, "Attached",
            "attached to StoragePolicy " + policyName + ": its agents get it in ConfigMap " + AgentConfigMap.name(policyName));
    }
}
