package dev.kelp.operator.inject;

import dev.kelp.crds.v1alpha1.StoragePolicy;
import io.fabric8.kubernetes.api.model.ConfigMap;
import java.util.List;
import java.util.Optional;

/** The policies and rendered agent configurations the webhook and the detector decide by. */
public interface Policies {

    Optional<StoragePolicy> policy(String namespace, String name);

    List<StoragePolicy> inNamespace(String namespace);

    /** The ConfigMap {@code kelp-agent-<policy>} the reconciler renders. */
    Optional<ConfigMap> agentConfig(String namespace, String policy);
}
