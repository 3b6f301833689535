package dev.kelp.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.ArrayList;
import java.util.List;

/** Which objects of a policy a TierRule applies to; every condition that is set must hold. */
@ValidationRule(value = "!has(self.minSize) || !has(self.maxSize)"
    + " || !isQuantity(string(self.minSize)) || !isQuantity(string(self.maxSize))"
    + " || quantity(string(self.minSize)).compareTo(quantity(string(self.maxSize))) <= 0",
    message = "minSize must not be larger than maxSize")
public class TierMatch {

    @Size(max = 1024)
    @JsonPropertyDescription("Only objects whose key starts with this, e.g. invoices/2024/.")
    private String prefix;

    @Size(max = 32)
    @JsonPropertyDescription("Only objects with one of these content types; type/* matches a whole family, e.g. image/*.")
    private List<@Size(max = 255) @Pattern(Constraints.CONTENT_TYPE) String> contentTypes = new ArrayList<>();

    @ValidationRule(value = Constraints.BYTES_RULE, message = "minSize " + Constraints.BYTES_MESSAGE)
    @JsonPropertyDescription("Only objects of at least this size: a number of bytes or a quantity such as 1Mi.")
    private Quantity minSize;

    @ValidationRule(value = Constraints.BYTES_RULE, message = "maxSize " + Constraints.BYTES_MESSAGE)
    @JsonPropertyDescription("Only objects of at most this size: a number of bytes or a quantity such as 1Gi.")
    private Quantity maxSize;

    public String getPrefix() {
        return prefix;
    }

    public void setPrefix(String prefix) {
        this.prefix = prefix;
    }

    public List<String> getContentTypes() {
        return contentTypes;
    }

    public void setContentTypes(List<String> contentTypes) {
        this.contentTypes = contentTypes;
    }

    public Quantity getMinSize() {
        return minSize;
    }

    public void setMinSize(Quantity minSize) {
        this.minSize = minSize;
    }

    public Quantity getMaxSize() {
        return maxSize;
    }

    public void setMaxSize(Quantity maxSize) {
        this.maxSize = maxSize;
    }
}
