package dev.kelp.crds.schema;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;
import java.util.Map;

/** The schema of a metav1 LabelSelector. */
public final class LabelSelectorSchema {

    @JsonPropertyDescription("Labels a pod must carry, each with exactly this value. ANDed with matchExpressions.")
    public Map<String, String> matchLabels;

    @JsonPropertyDescription("Label requirements a pod must all meet. ANDed with matchLabels.")
    public List<LabelSelectorRequirementSchema> matchExpressions;

    private LabelSelectorSchema() {
    }
}
