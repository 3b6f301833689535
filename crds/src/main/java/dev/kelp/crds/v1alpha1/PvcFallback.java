package dev.kelp.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Quantity;

/** A PersistentVolumeClaim fallback volume: an existing claim, or a claim made per pod. */
@ValidationRule(value = "has(self.claimName) != has(self.size)",
    message = "pvc needs either claimName (an existing claim) or size (a claim per pod), not both")
@ValidationRule(value = "!has(self.storageClass) || has(self.size)",
    message = "storageClass applies only to claims made per pod: set size too, or remove storageClass")
public class PvcFallback {

    @Size(max = 253)
    @Pattern(Constraints.OBJECT_NAME)
    @JsonPropertyDescription("Name of an existing PersistentVolumeClaim in this namespace to mount as the fallback volume.")
    private String claimName;

    @Size(max = 253)
    @Pattern(Constraints.OBJECT_NAME)
    @JsonPropertyDescription("StorageClass of the claims made per pod. Absent: the cluster's default class.")
    private String storageClass;

    @ValidationRule(value = Constraints.QUANTITY_WITH_UNIT_RULE,
        message = "size needs a unit, such as 20Gi or 500Mi: a bare number would mean bytes")
    @JsonPropertyDescription("Size of the claim made for each selected pod, a quantity with a unit such as 20Gi.")
    private Quantity size;

    public String getClaimName() {
        return claimName;
    }

    public void setClaimName(String claimName) {
        this.claimName = claimName;
    }

    public String getStorageClass() {
        return storageClass;
    }

    public void setStorageClass(String storageClass) {
        this.storageClass = storageClass;
    }

    public Quantity getSize() {
        return size;
    }

    public void setSize(Quantity size) {
        this.size = size;
    }
}
