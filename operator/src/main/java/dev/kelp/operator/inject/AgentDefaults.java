package dev.kelp.operator.inject;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import java.time.Duration;

/**
 * What the operator puts into the agent container where the policy says nothing.
 *
 * @param image     the agent image released with this operator
 * @param resources requests and limits when the policy sets none
 * @param drain     time the agent gets after the app has stopped to finish in-flight writes;
 *                  added to the pod's terminationGracePeriodSeconds
 * @param runAsUser the non-root user the agent runs as (the agent image's user)
 */
public record AgentDefaults(String image, ResourceRequirements resources, Duration drain, long runAsUser) {

    /**
     * 384Mi/512Mi memory: the agent's heap is 40% of the limit (MaxRAMPercentage), enough for
     * the default caches (64 MiB of small objects) and streaming bodies, with room for the
     * ~250 MiB the rest of the JVM needs. The request covers what it uses under load (313-338
     * MiB measured, docs/benchmarks.md): under node memory pressure the kubelet evicts pods
     * using more than they requested first, and an evicted pod takes its emptyDir, unsynced
     * objects and all. 100m CPU requested, no CPU limit so a burst of sync work is not throttled.
     */
    public static final ResourceRequirements DEFAULT_RESOURCES = new ResourceRequirementsBuilder()
        .addToRequests("cpu", new Quantity("100m"))
        .addToRequests("memory", new Quantity("384Mi"))
        .addToLimits("memory", new Quantity("512Mi"))
        .build();

    public static AgentDefaults withImage(String image) {
        return new AgentDefaults(image, DEFAULT_RESOURCES, Duration.ofSeconds(30), 65532);
    }

    public AgentDefaults withResources(ResourceRequirements defaultResources) {
        return new AgentDefaults(image, defaultResources, drain, runAsUser);
    }
}
