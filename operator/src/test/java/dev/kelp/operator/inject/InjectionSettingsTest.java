package dev.kelp.operator.inject;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kelp.crds.v1alpha1.MissingPolicyAction;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InjectionSettingsTest {

    @Test
    void aMissingPolicyIsRefusedUnlessTheOperatorIsToldToAdmit() {
        assertThat(InjectionSettings.fromEnv(Map.of()).whenPolicyMissing()).isEqualTo(MissingPolicyAction.REJECT);
        assertThat(InjectionSettings.fromEnv(Map.of("KELP_MISSING_POLICY_ACTION", "Admit")).whenPolicyMissing()).isEqualTo(MissingPolicyAction.ADMIT);
        assertThatThrownBy(() -> InjectionSettings.fromEnv(Map.of("KELP_MISSING_POLICY_ACTION", "Maybe")))
            .hasMessageContaining("Reject or Admit");
    }

    @Test
    void theImageIsTheConfiguredOneOrTheReleasedAgent() {
        assertThat(InjectionSettings.fromEnv(Map.of("KELP_AGENT_IMAGE", "registry/agent:2")).agentImage()).isEqualTo("registry/agent:2");
        assertThat(InjectionSettings.fromEnv(Map.of()).agentImage()).startsWith("ghcr.io/kelp-dev/kelp-agent:");
    }

    @Test
    void agentResourcesComeFromTheEnvironmentAsJsonOrAreTheDefaults() {
        var set = InjectionSettings.fromEnv(Map.of("KELP_AGENT_RESOURCES", "{\"requests\":{\"cpu\":\"250m\"},\"limits\":{\"memory\":\"1Gi\"}}"));
        assertThat(set.agentDefaults().resources().getRequests()).containsEntry("cpu", new io.fabric8.kubernetes.api.model.Quantity("250m"));
        assertThat(set.agentDefaults().resources().getLimits()).containsEntry("memory", new io.fabric8.kubernetes.api.model.Quantity("1Gi"));
        assertThat(InjectionSettings.fromEnv(Map.of()).agentDefaults().resources()).isEqualTo(AgentDefaults.DEFAULT_RESOURCES);
        assertThatThrownBy(() -> InjectionSettings.fromEnv(Map.of("KELP_AGENT_RESOURCES", "{not json")))
            .hasMessageContaining("KELP_AGENT_RESOURCES must be a ResourceRequirements in JSON");
    }
}
