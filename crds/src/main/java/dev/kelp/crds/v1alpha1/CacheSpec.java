package dev.kelp.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Quantity;

/** Each agent's in-memory cache of hot metadata and small objects. */
public class CacheSpec {

    @Default("64Mi")
    @ValidationRule(value = Constraints.BYTES_RULE, message = "maxBytes " + Constraints.BYTES_MESSAGE)
    @JsonPropertyDescription("Most bytes of memory the cache may hold; it counts against the agent container's memory limit. 0 turns the cache off.")
    private Quantity maxBytes;

    public Quantity getMaxBytes() {
        return maxBytes;
    }

    public void setMaxBytes(Quantity maxBytes) {
        this.maxBytes = maxBytes;
    }
}
