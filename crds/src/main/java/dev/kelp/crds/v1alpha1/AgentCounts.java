package dev.kelp.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** How many agents of a policy report, and in which mode. */
public class AgentCounts {

    @JsonPropertyDescription("Agents injected into pods that exist now.")
    private Integer total;

    @JsonPropertyDescription("Agents that reported recently and serve requests, in any mode.")
    private Integer ready;

    @JsonPropertyDescription("Agents in FULL mode: writing to SeaweedFS.")
    private Integer full;

    @JsonPropertyDescription("Agents in FALLBACK mode: SeaweedFS unreachable, writing to the fallback volume and queueing for sync.")
    private Integer fallback;

    @JsonPropertyDescription("Agents in LOCAL_ONLY mode: no usable metadata store or credentials, keeping everything local.")
    private Integer localOnly;

    @JsonPropertyDescription("Pods selected by the policy that run without the agent: admitted while the injection webhook was unreachable (its failure policy is Ignore) or by missingPolicyAction Admit. Their apps have no Kelp storage; recreate them once the cause is fixed.")
    private Integer uninjected;

    public Integer getTotal() {
        return total;
    }

    public void setTotal(Integer total) {
        this.total = total;
    }

    public Integer getReady() {
        return ready;
    }

    public void setReady(Integer ready) {
        this.ready = ready;
    }

    public Integer getFull() {
        return full;
    }

    public void setFull(Integer full) {
        this.full = full;
    }

    public Integer getFallback() {
        return fallback;
    }

    public void setFallback(Integer fallback) {
        this.fallback = fallback;
    }

    public Integer getLocalOnly() {
        return localOnly;
    }

    public void setLocalOnly(Integer localOnly) {
        this.localOnly = localOnly;
    }

    public Integer getUninjected() {
        return uninjected;
    }

    public void setUninjected(Integer uninjected) {
        this.uninjected = uninjected;
    }
}
