package dev.kelp.operator.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.crds.v1alpha1.AgentMode;
import dev.kelp.crds.v1alpha1.StoragePolicyStatus;
import dev.kelp.operator.report.FleetStatus;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PolicyStatusTest {

    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");

    @Test
    void agentsInFallbackMakeThePolicyDegradedAndShowInTheColumns() {
        var fleet = new FleetStatus(4, 3, 1, 2, 0, 37, 12_345, 93, AgentMode.FALLBACK);
        var degraded = PolicyStatus.degraded(fleet);

        var status = PolicyStatus.next(new StoragePolicyStatus(), 2L, PolicyStatus.ready(List.of(), "kelp-agent-p"), degraded, fleet, NOW);

        assertThat(degraded.holds()).isTrue();
        assertThat(degraded.reason()).isEqualTo("AgentsInFallback");
        assertThat(degraded.message()).contains("2 in FALLBACK", "1 not ready", "37 objects", "93 s");
        assertThat(status.getMode()).isEqualTo(AgentMode.FALLBACK);
        assertThat(status.getAgentsDisplay()).isEqualTo("3/4");
        assertThat(status.getAgents().getFallback()).isEqualTo(2);
        assertThat(status.getPending().getObjects()).isEqualTo(37L);
        assertThat(status.getPending().getBytes()).isEqualTo(12_345L);
        assertThat(status.getPending().getOldestAgeSeconds()).isEqualTo(93L);
        assertThat(status.getObservedGeneration()).isEqualTo(2L);
        assertThat(status.getConditions()).extracting(c -> c.getType() + "=" + c.getStatus()).containsExactly("Ready=True", "Degraded=True");
    }

    @Test
    void podsWithoutTheAgentDegradeThePolicyEvenWhenEveryAgentIsFull() {
        var fleet = new FleetStatus(2, 2, 2, 0, 0, 0, 0, 0, AgentMode.FULL).withUninjected(3);
        var degraded = PolicyStatus.degraded(fleet);

        var status = PolicyStatus.next(null, 1L, PolicyStatus.ready(List.of(), "kelp-agent-p"), degraded, fleet, NOW);

        assertThat(degraded.holds()).isTrue();
        assertThat(degraded.reason()).isEqualTo("PodsWithoutAgent");
        assertThat(degraded.message()).contains("3 pods", "without the agent", "recreate them");
        assertThat(status.getAgents().getUninjected()).isEqualTo(3);
        assertThat(status.getAgentsDisplay()).as("the column still counts agents").isEqualTo("2/2");
        assertThat(PolicyStatus.degraded(fleet.withUninjected(0)).reason()).isEqualTo("AllAgentsFull");
    }

    @Test
    void localOnlyIsTheWorstReasonAndNotReadyAloneDegradesToo() {
        assertThat(PolicyStatus.degraded(new FleetStatus(3, 3, 1, 1, 1, 0, 0, 0, AgentMode.LOCAL_ONLY)).reason()).isEqualTo("AgentsLocalOnly");
        var notReady = PolicyStatus.degraded(new FleetStatus(2, 1, 1, 0, 0, 0, 0, 0, AgentMode.FULL));
        assertThat(notReady.holds()).isTrue();
        assertThat(notReady.reason()).isEqualTo("AgentsNotReady");
    }

    @Test
    void noAgentsOrAllFullIsNotDegraded() {
        assertThat(PolicyStatus.degraded(FleetStatus.NONE).holds()).isFalse();
        assertThat(PolicyStatus.degraded(FleetStatus.NONE).reason()).isEqualTo("NoAgents");
        var full = PolicyStatus.degraded(new FleetStatus(2, 2, 2, 0, 0, 0, 0, 0, AgentMode.FULL));
        assertThat(full.holds()).isFalse();
        assertThat(full.reason()).isEqualTo("AllAgentsFull");
        var status = PolicyStatus.next(null, 1L, PolicyStatus.ready(List.of(), "kelp-agent-p"), PolicyStatus.degraded(FleetStatus.NONE), FleetStatus.NONE, NOW);
        assertThat(status.getAgentsDisplay()).isEqualTo("0/0");
        assertThat(status.getMode()).isNull();
    }

    @Test
    void missingSecretWinsOverAMissingKeyAsTheReason() {
        var req = new RequiredSecrets.Requirement("seaweedfs.credentialsSecret", "s3", List.of("accessKey", "secretKey"));
        var keyOnly = List.of(new RequiredSecrets.Problem(req, List.of("secretKey")));
        var both = List.of(new RequiredSecrets.Problem(req, List.of("secretKey")),
            new RequiredSecrets.Problem(new RequiredSecrets.Requirement("metadata.connectionSecret", "pg", List.of("url")), List.of()));

        assertThat(PolicyStatus.ready(keyOnly, "cm").reason()).isEqualTo("SecretKeyMissing");
        assertThat(PolicyStatus.ready(both, "cm").reason()).isEqualTo("SecretMissing");
        assertThat(PolicyStatus.ready(both, "cm").message()).contains("Secret s3", "secretKey", "Secret pg");
    }
}
