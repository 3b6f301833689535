package dev.kelp.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Quantity;

/** The local volume an agent writes to while SeaweedFS is out of reach. */
@ValidationRule(value = "has(self.emptyDir) != has(self.pvc)",
    message = "fallback needs exactly one of emptyDir or pvc")
@ValidationRule(value = FallbackSpec.BELOW_EMPTY_DIR_LIMIT,
    message = "maxBytes must be less than emptyDir.sizeLimit: the kubelet evicts the pod once the volume outgrows its limit,"
        + " and the agent keeps its sync queue and journal on the same volume")
@ValidationRule(value = FallbackSpec.BELOW_CLAIM_SIZE,
    message = "maxBytes must be less than pvc.size: the agent keeps its sync queue and journal on the same volume")
public class FallbackSpec {

    /** maxBytes as a quantity, for the rules below; only used once BYTES_RULE holds. */
    private static final String MAX_BYTES = "(type(self.maxBytes) == int ? quantity(string(self.maxBytes)) : quantity(self.maxBytes))";

    /** Holds when either side is missing or malformed: those have rules (and messages) of their own. */
    private static final String MAX_BYTES_UNUSABLE = "!has(self.maxBytes) || (type(self.maxBytes) == string && !isQuantity(self.maxBytes))"
        + " || (type(self.maxBytes) == int && self.maxBytes < 0)";

    static final String BELOW_EMPTY_DIR_LIMIT = MAX_BYTES_UNUSABLE + " || !has(self.emptyDir)"
        + " || type(self.emptyDir.sizeLimit) != string || !isQuantity(self.emptyDir.sizeLimit)"
        + " || " + MAX_BYTES + ".isLessThan(quantity(self.emptyDir.sizeLimit))";

    static final String BELOW_CLAIM_SIZE = MAX_BYTES_UNUSABLE + " || !has(self.pvc) || !has(self.pvc.size)"
        + " || type(self.pvc.size) != string || !isQuantity(self.pvc.size)"
        + " || " + MAX_BYTES + ".isLessThan(quantity(self.pvc.size))";

    @JsonPropertyDescription("Use an emptyDir volume: simple, but it goes with the pod, and with it any object not yet synced.")
    private EmptyDirFallback emptyDir;

    @JsonPropertyDescription("Use a PersistentVolumeClaim: objects not yet synced outlive the pod.")
    private PvcFallback pvc;

    @ValidationRule(value = Constraints.BYTES_RULE, message = "maxBytes " + Constraints.BYTES_MESSAGE)
    @JsonPropertyDescription("Most bytes the agent keeps on the fallback volume; past it a write fails with 507 Insufficient Storage instead of filling the volume. A number of bytes or a quantity such as 8Gi. Absent: 90% of the emptyDir size limit (1Gi when the policy names no volume), leaving room for the sync queue and journal, and for a PVC the volume itself (the agent keeps 64Mi of it free).")
    private Quantity maxBytes;

    public EmptyDirFallback getEmptyDir() {
        return emptyDir;
    }

    public void setEmptyDir(EmptyDirFallback emptyDir) {
        this.emptyDir = emptyDir;
    }

    public PvcFallback getPvc() {
        return pvc;
    }

    public void setPvc(PvcFallback pvc) {
        this.pvc = pvc;
    }

    public Quantity getMaxBytes() {
        return maxBytes;
    }

    public void setMaxBytes(Quantity maxBytes) {
        this.maxBytes = maxBytes;
    }
}
