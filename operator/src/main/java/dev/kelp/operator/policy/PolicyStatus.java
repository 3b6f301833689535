package dev.kelp.operator.policy;

import dev.kelp.crds.v1alpha1.AgentCounts;
import dev.kelp.crds.v1alpha1.PendingSync;
import dev.kelp.crds.v1alpha1.StoragePolicyStatus;
import dev.kelp.operator.policy.Conditions.Observation;
import dev.kelp.operator.report.FleetStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Computes a policy's whole status from what one reconcile saw: Ready from its Secrets,
 * Degraded and the agent figures from the fold of its agents' reports. Pure, so the rules are
 * unit-tested; the reconciler only writes the result when it differs from the stored status.
 */
public final class PolicyStatus {

    private PolicyStatus() {
    }

    public static Observation ready(List<RequiredSecrets.Problem> problems, String configMap) {
        if (problems.isEmpty()) {
            return new Observation(Conditions.READY, true, "ConfigRendered",
                "agent configuration rendered into ConfigMap " + configMap + "; every Secret the policy names has its keys");
        }
        String reason = problems.stream().anyMatch(RequiredSecrets.Problem::forbidden) ? "SecretForbidden"
            : problems.stream().anyMatch(RequiredSecrets.Problem::secretMissing) ? "SecretMissing" : "SecretKeyMissing";
        var message = String.join("; ", problems.stream().map(RequiredSecrets.Problem::describe).toList())
            + ". Pods selected by this policy get no working agent until it is fixed.";
        return new Observation(Conditions.READY, false, reason, message);
    }

    public static Observation degraded(FleetStatus fleet) {
        if (fleet.uninjected() > 0) {
            // Worse than any agent mode: these apps' writes go nowhere Kelp protects.
            return new Observation(Conditions.DEGRADED, true, "PodsWithoutAgent", fleet.uninjected()
                + " pods selected by this policy run without the agent (admitted while the webhook was unreachable, or by missingPolicyAction Admit); "
                + "recreate them once the cause is fixed. Of " + fleet.total() + " agents: " + fleet.ready() + " ready");
        }
        if (fleet.total() == 0) {
            return new Observation(Conditions.DEGRADED, false, "NoAgents", "no agent of this policy has reported");
        }
        int notReady = fleet.total() - fleet.ready();
        if (notReady == 0 && fleet.fallback() == 0 && fleet.localOnly() == 0) {
            return new Observation(Conditions.DEGRADED, false, "AllAgentsFull",
                "all " + fleet.total() + " agents are ready and writing to SeaweedFS");
        }
        var parts = new ArrayList<String>();
        if (fleet.localOnly() > 0) {
            parts.add(fleet.localOnly() + " LOCAL_ONLY");
        }
        if (fleet.fallback() > 0) {
            parts.add(fleet.fallback() + " in FALLBACK");
        }
        if (notReady > 0) {
            parts.add(notReady + " not ready");
        }
        String reason = fleet.localOnly() > 0 ? "AgentsLocalOnly" : fleet.fallback() > 0 ? "AgentsInFallback" : "AgentsNotReady";
        String message = "of " + fleet.total() + " agents: " + String.join(", ", parts)
            + "; " + fleet.pendingObjects() + " objects (" + fleet.pendingBytes() + " bytes) wait to sync"
            + (fleet.pendingObjects() > 0 ? ", the oldest for " + fleet.oldestPendingAgeSeconds() + " s" : "");
        return new Observation(Conditions.DEGRADED, true, reason, message);
    }

    public static StoragePolicyStatus next(StoragePolicyStatus previous, Long generation, Observation ready,
                                           Observation degraded, FleetStatus fleet, Instant now) {
        var prior = previous == null ? new StoragePolicyStatus() : previous;
        var status = new StoragePolicyStatus();
        status.setObservedGeneration(generation);
        var conditions = Conditions.with(prior.getConditions(), ready, generation, now);
        status.setConditions(Conditions.with(conditions, degraded, generation, now));

        var agents = new AgentCounts();
        agents.setTotal(fleet.total());
        agents.setReady(fleet.ready());
        agents.setFull(fleet.full());
        agents.setFallback(fleet.fallback());
        agents.setLocalOnly(fleet.localOnly());
        agents.setUninjected(fleet.uninjected());
        status.setAgents(agents);
        status.setAgentsDisplay(fleet.ready() + "/" + fleet.total());
        status.setMode(fleet.worstMode());
        var pending = new PendingSync();
        pending.setObjects(fleet.pendingObjects());
        pending.setBytes(fleet.pendingBytes());
        pending.setOldestAgeSeconds(fleet.oldestPendingAgeSeconds());
        status.setPending(pending);
        return status;
    }
}
