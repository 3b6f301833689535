package dev.kelp.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Quantity;

/** Limits on what the apps of a policy may store in total. */
public class QuotaSpec {

    @ValidationRule(value = Constraints.BYTES_RULE, message = "maxBytes " + Constraints.BYTES_MESSAGE)
    @JsonPropertyDescription("Most bytes the policy's objects may take in total (current versions and kept ones); a write past it fails with 507 Insufficient Storage. A number of bytes or a quantity such as 100Gi.")
    private Quantity maxBytes;

    @Min(0)
    @JsonPropertyDescription("Most objects the policy may hold; a write of a new object past it fails with 507 Insufficient Storage.")
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
