package dev.kelp.crds.schema;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.List;
import java.util.Map;

/** The schema of a core/v1 ResourceRequirements. */
public final class ResourceRequirementsSchema {

    @JsonPropertyDescription("Most compute resources the container may use, by resource name: cpu (e.g. 500m), memory (e.g. 256Mi).")
    public Map<String, Quantity> limits;

    @JsonPropertyDescription("Compute resources the scheduler reserves for the container, by resource name; defaults to limits when absent.")
    public Map<String, Quantity> requests;

    @JsonPropertyDescription("Dynamic resource claims of the pod the container uses, by name (DynamicResourceAllocation); rarely needed.")
    public List<ResourceClaimSchema> claims;

    private ResourceRequirementsSchema() {
    }
}
