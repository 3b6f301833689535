package dev.kelp.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.kelp.crds.schema.ConditionsByType;
import io.fabric8.crdv2.generator.v1.SchemaCustomizer;

/** What the operator last saw of a policy and its agents. */
@SchemaCustomizer(ConditionsByType.class)
public class StoragePolicyStatus extends KelpStatus {

    @JsonPropertyDescription("How many agents the policy has, and in which mode.")
    private AgentCounts agents;

    @JsonPropertyDescription("Ready agents over all agents, e.g. 3/4: the AGENTS column of kubectl get.")
    private String agentsDisplay;

    @JsonPropertyDescription("The worst mode any agent of the policy reports (LOCAL_ONLY, then FALLBACK, then FULL): the MODE column of kubectl get. Absent until an agent reports.")
    private AgentMode mode;

    @JsonPropertyDescription("What the agents hold on fallback volumes, waiting to sync to SeaweedFS.")
    private PendingSync pending;

    public AgentCounts getAgents() {
        return agents;
    }

    public void setAgents(AgentCounts agents) {
        this.agents = agents;
    }

    public String getAgentsDisplay() {
        return agentsDisplay;
    }

    public void setAgentsDisplay(String agentsDisplay) {
        this.agentsDisplay = agentsDisplay;
    }

    public AgentMode getMode() {
        return mode;
    }

    public void setMode(AgentMode mode) {
        this.mode = mode;
    }

    public PendingSync getPending() {
        return pending;
    }

    public void setPending(PendingSync pending) {
        this.pending = pending;
    }
}
