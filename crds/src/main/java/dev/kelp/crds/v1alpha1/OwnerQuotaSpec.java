package dev.kelp.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Quantity;

/** Limits on what one owner may store across the policy's buckets. */
public class OwnerQuotaSpec {

    @ValidationRule(value = Constraints.BYTES_RULE, message = "maxBytes " + Constraints.BYTES_MESSAGE)
    @JsonPropertyDescription("Most bytes one owner's objects may take (the versions it wrote that are kept); a write past it fails with 507 QuotaExceeded naming the owner. A number of bytes or a quantity such as 10Gi.")
    private Quantity maxBytes;

    @Min(0)
    @JsonPropertyDescription("Most objects one owner may hold; a write of a new object past it fails with 507 QuotaExceeded naming the owner.")
    private Long maxObjects;

    public Quantity getMaxBytes() {
        return maxBytes;
    }

    public void setMaxBytes(Quantity maxBytes) {
        this.maxBytes = maxBytes;
    }

    public Long getMaxObjects() {
        return maxObjects;
    }

    public void setMaxObjects(Long maxObjects) {
        this.maxObjects = maxObjects;
    }
}
