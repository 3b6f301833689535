package dev.kelp.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.kelp.crds.schema.ResourceRequirementsSchema;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

/** The sidecar container the operator injects into each selected pod. */
public class AgentSpec {

    @Size(max = 512)
    @JsonPropertyDescription("Container image of the agent. Absent: the agent image released with the running operator.")
    private String image;

    @SchemaFrom(type = ResourceRequirementsSchema.class)
    @JsonPropertyDescription("CPU and memory requests and limits of the agent container (core/v1 ResourceRequirements). The agent's heap is 40% of the memory limit and the rest of its JVM takes about 250 MiB, so a limit below 512Mi does not fit; leave room for cache.maxBytes in the heap.")
    private ResourceRequirements resources;

    @Default("8780")
    @Min(1)
    @Max(65535)
    @JsonPropertyDescription("Port the agent listens on, on the pod's loopback interface only: apps call http://127.0.0.1:<port>/v1/. It must not clash with a port of the app's containers.")
    private Integer port;

    public String getImage() {
        return image;
    }

    public void setImage(String image) {
        this.image = image;
    }

    public ResourceRequirements getResources() {
        return resources;
    }

    public void setResources(ResourceRequirements resources) {
        this.resources = resources;
    }

    public Integer getPort() {
        return port;
    }

    public void setPort(Integer port) {
        this.port = port;
    }
}
