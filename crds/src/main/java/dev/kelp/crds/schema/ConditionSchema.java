package dev.kelp.crds.schema;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** The schema of a metav1 Condition, as {@code status.conditions[]} of every Kelp kind. */
public final class ConditionSchema {

    @Required
    @JsonPropertyDescription("Kind of condition, in CamelCase, e.g. Ready or Degraded.")
    public String type;

    @Required
    @Pattern("^(True|False|Unknown)$")
    @JsonPropertyDescription("Whether the condition holds: True, False or Unknown.")
    public String status;

    @JsonPropertyDescription("One CamelCase word for why the condition last changed, e.g. SecretMissing; meant for tools and alerts.")
    public String reason;

    @JsonPropertyDescription("What a person should know about the transition: what happened and what to do.")
    public String message;

    @JsonPropertyDescription("When the condition last changed from one status to another (RFC 3339).")
    public String lastTransitionTime;

    @JsonPropertyDescription("The metadata.generation the condition was computed from; older than the object's generation means it may be stale.")
    public Long observedGeneration;

    private ConditionSchema() {
    }
}
