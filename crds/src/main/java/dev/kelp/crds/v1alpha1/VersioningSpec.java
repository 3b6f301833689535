package dev.kelp.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** Which earlier versions of an overwritten or deleted object are kept, for rollback. */
public class VersioningSpec {

    @Min(0)
    @JsonPropertyDescription("How many earlier versions of each object to keep besides the current one; 0 keeps none.")
    private Integer keepLast;

    @Size(max = 32)
    @Pattern(Constraints.DURATION)
    @ValidationRule(value = Constraints.DURATION_RULE, message = "keepFor " + Constraints.DURATION_MESSAGE)
    @JsonPropertyDescription("How long an earlier version is kept after it was replaced, as a Go duration such as 720h (30 days). Units h, m, s, ms; no days. With keepLast, a version goes when either limit is passed.")
    private String keepFor;

    public Integer getKeepLast() {
        return keepLast;
    }

    public void setKeepLast(Integer keepLast) {
        this.keepLast = keepLast;
    }

    public String getKeepFor() {
        return keepFor;
    }

    public void setKeepFor(String keepFor) {
        this.keepFor = keepFor;
    }
}
