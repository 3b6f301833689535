package dev.kelp.operator.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.crds.v1alpha1.PolicyReference;
import dev.kelp.crds.v1alpha1.TierRule;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import org.junit.jupiter.api.Test;

class PolicyRefMapperTest {

    private final PolicyRefMapper<TierRule> mapper = new PolicyRefMapper<>(r -> r.getSpec().getPolicyRef().getName());

    @Test
    void aRulePointedElsewhereAlsoWakesItsFormerPolicyOnce() {
        var rule = Fixtures.valid("tierrule-same-seaweedfs", TierRule.class);
        rule.getMetadata().setNamespace("ns");
        rule.getMetadata().setUid("uid-1");

        assertThat(mapper.toPrimaryResourceIDs(rule)).containsExactly(new ResourceID("minimal", "ns"));
        rule.getSpec().setPolicyRef(new PolicyReference("other"));
        assertThat(mapper.toPrimaryResourceIDs(rule)).containsExactlyInAnyOrder(new ResourceID("other", "ns"), new ResourceID("minimal", "ns"));
        assertThat(mapper.toPrimaryResourceIDs(rule)).containsExactly(new ResourceID("other", "ns"));
    }
}
