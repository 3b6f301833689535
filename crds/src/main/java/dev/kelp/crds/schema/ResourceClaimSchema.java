package dev.kelp.crds.schema;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/** The schema of a core/v1 ResourceClaim reference inside ResourceRequirements. */
public final class ResourceClaimSchema {

    @Required
    @JsonPropertyDescription("Name of an entry in the pod's spec.resourceClaims.")
    public String name;

    @JsonPropertyDescription("Name of one request within that claim, when the claim has several.")
    public String request;

    private ResourceClaimSchema() {
    }
}
