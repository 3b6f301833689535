package dev.kelp.operator.inject;

import dev.kelp.crds.v1alpha1.MissingPolicyAction;
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
 */
public record InjectionSettings(String agentImage, MissingPolicyAction whenPolicyMissing) {

    static final String IMAGE_REPOSITORY = "ghcr.io/kelp-dev/kelp-agent";

    public static InjectionSettings fromEnv(Map<String, String> env) {
        String version = Optional.ofNullable(InjectionSettings.class.getPackage().getImplementationVersion()).orElse("latest");
        String image = get(env, "KELP_AGENT_IMAGE").orElse(IMAGE_REPOSITORY + ":" + version);
        var action = get(env, "KELP_MISSING_POLICY_ACTION").map(InjectionSettings::action).orElse(MissingPolicyAction.REJECT);
        return new InjectionSettings(image, action);
    }

    private static MissingPolicyAction action(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "reject" -> MissingPolicyAction.REJECT;
            case "admit" -> MissingPolicyAction.ADMIT;
            default -> throw new IllegalArgumentException("KELP_MISSING_POLICY_ACTION must be Reject or Admit, not " + value);
        };
    }

    private static Optional<String> get(Map<String, String> env, String name) {
        return Optional.ofNullable(env.get(name)).map(String::trim).filter(v -> !v.isEmpty());
    }
}
