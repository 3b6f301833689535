package dev.kelp.operator.inject;

import dev.kelp.crds.v1alpha1.MissingPolicyAction;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The operator-wide injection settings, from the environment the Helm chart sets.
 *
 * @param agentImage        image of pods whose policy names none (KELP_AGENT_IMAGE; default the
 *                          agent image of this operator's version)
 * @param whenPolicyMissing what to do with a pod naming a StoragePolicy that does not exist
 *                          (KELP_MISSING_POLICY_ACTION: Reject, the default, or Admit)
 * @param agentResources    the agent container's resources where a policy sets none
 *                          (KELP_AGENT_RESOURCES, a core/v1 ResourceRequirements as JSON; default
 *                          {@link AgentDefaults#DEFAULT_RESOURCES})
 */
public record InjectionSettings(String agentImage, MissingPolicyAction whenPolicyMissing, ResourceRequirements agentResources) {

    public InjectionSettings(String agentImage, MissingPolicyAction whenPolicyMissing) {
        this(agentImage, whenPolicyMissing, AgentDefaults.DEFAULT_RESOURCES);
    }

    /** The defaults the injector applies: this image and these resources. */
    public AgentDefaults agentDefaults() {
        return AgentDefaults.withImage(agentImage).withResources(agentResources);
    }

    static final String IMAGE_REPOSITORY = "ghcr.io/kelp-dev/kelp-agent";

    public static InjectionSettings fromEnv(Map<String, String> env) {
        String version = Optional.ofNullable(InjectionSettings.class.getPackage().getImplementationVersion()).orElse("latest");
        String image = get(env, "KELP_AGENT_IMAGE").orElse(IMAGE_REPOSITORY + ":" + version);
        var action = get(env, "KELP_MISSING_POLICY_ACTION").map(InjectionSettings::action).orElse(MissingPolicyAction.REJECT);
        var resources = get(env, "KELP_AGENT_RESOURCES").map(InjectionSettings::resources).orElse(AgentDefaults.DEFAULT_RESOURCES);
        return new InjectionSettings(image, action, resources);
    }

    private static MissingPolicyAction action(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "reject" -> MissingPolicyAction.REJECT;
            case "admit" -> MissingPolicyAction.ADMIT;
            default -> throw new IllegalArgumentException("KELP_MISSING_POLICY_ACTION must be Reject or Admit, not " + value);
        };
    }

    private static ResourceRequirements resources(String json) {
        try {
            return Serialization.unmarshal(json, ResourceRequirements.class);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("KELP_AGENT_RESOURCES must be a ResourceRequirements in JSON, e.g. "
                + "{\"requests\":{\"cpu\":\"100m\"},\"limits\":{\"memory\":\"512Mi\"}}: " + e.getMessage(), e);
        }
    }

    private static Optional<String> get(Map<String, String> env, String name) {
        return Optional.ofNullable(env.get(name)).map(String::trim).filter(v -> !v.isEmpty());
    }
}
