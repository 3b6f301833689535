package dev.kelp.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Quantity;

/** The local volume an agent writes to while SeaweedFS is out of reach. */
@ValidationRule(value = "has(self.emptyDir) != has(self.pvc)",
    message = "fallback needs exactly one of emptyDir or pvc")
public class FallbackSpec {

    @JsonPropertyDescription("Use an emptyDir volume: simple, but it goes with the pod, and with it any object not yet synced.")
    private EmptyDirFallback emptyDir;

    @JsonPropertyDescription("Use a PersistentVolumeClaim: objects not yet synced outlive the pod.")
    private PvcFallback pvc;

    @ValidationRule(value = Constraints.BYTES_RULE, message = "maxBytes " + Constraints.BYTES_MESSAGE)
    @JsonPropertyDescription("Most bytes the agent keeps on the fallback volume; past it a write fails with 507 Insufficient Storage instead of filling the volume. A number of bytes or a quantity such as 8Gi. Absent: limited by the volume only.")
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
