package dev.kelp.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Quantity;

/** An emptyDir fallback volume, sized. */
public class EmptyDirFallback {

    @Required
    @ValidationRule(value = Constraints.QUANTITY_WITH_UNIT_RULE,
        message = "sizeLimit needs a unit, such as 10Gi or 500Mi: a bare number would mean bytes")
    @JsonPropertyDescription("Size limit of the emptyDir, a quantity with a unit such as 10Gi. The kubelet evicts a pod whose volume outgrows it, so keep fallback.maxBytes below it.")
    private Quantity sizeLimit;

    public EmptyDirFallback() {
    }

    public EmptyDirFallback(Quantity sizeLimit) {
        this.sizeLimit = sizeLimit;
    }

    public Quantity getSizeLimit() {
        return sizeLimit;
    }

    public void setSizeLimit(Quantity sizeLimit) {
        this.sizeLimit = sizeLimit;
    }
}
