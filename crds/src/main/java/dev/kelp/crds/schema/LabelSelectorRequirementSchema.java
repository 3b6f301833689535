package dev.kelp.crds.schema;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import java.util.List;

/** The schema of one metav1 LabelSelectorRequirement. */
public final class LabelSelectorRequirementSchema {

    @Required
    @JsonPropertyDescription("The label key the requirement applies to.")
    public String key;

    @Required
    @Pattern("^(In|NotIn|Exists|DoesNotExist)$")
    @JsonPropertyDescription("How the label's value relates to values: In, NotIn, Exists or DoesNotExist.")
    public String operator;

    @JsonPropertyDescription("Values for In and NotIn (at least one); must be empty for Exists and DoesNotExist.")
    public List<String> values;

    private LabelSelectorRequirementSchema() {
    }
}
