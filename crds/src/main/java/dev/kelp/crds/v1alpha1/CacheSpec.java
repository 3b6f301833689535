package dev.kelp.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Quantity;

/** Each agent's caches: hot metadata and small objects in memory, copies of SeaweedFS objects on the fallback volume. */
public class CacheSpec {

    @Default("64Mi")
    @ValidationRule(value = Constraints.BYTES_RULE, message = "maxBytes " + Constraints.BYTES_MESSAGE)
    @JsonPropertyDescription("Most bytes of memory the cache may hold; it counts against the agent container's memory limit. 0 turns the cache off.")
    private Quantity maxBytes;

    @ValidationRule(value = Constraints.BYTES_RULE, message = "diskMaxBytes " + Constraints.BYTES_MESSAGE)
    @JsonPropertyDescription("Most bytes of copies of SeaweedFS objects the agent keeps on its fallback volume, so that reads of them are local and still succeed while SeaweedFS is out of reach. They count against fallback.maxBytes and give way to writes, so they never cause a 507. Absent: a quarter of the fallback limit (off for an existing claim without fallback.maxBytes, and with encryption at rest, whose copies would be plaintext). 0 turns it off.")
    private Quantity diskMaxBytes;

    public Quantity getDiskMaxBytes() {
        return diskMaxBytes;
    }

    public void setDiskMaxBytes(Quantity diskMaxBytes) {
        this.diskMaxBytes = diskMaxBytes;
    }

    public Quantity getMaxBytes() {
        return maxBytes;
    }

    public void setMaxBytes(Quantity maxBytes) {
        this.maxBytes = maxBytes;
    }
}
