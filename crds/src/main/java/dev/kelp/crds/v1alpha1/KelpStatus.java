package dev.kelp.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.kelp.crds.schema.ConditionSchema;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/**
 * What every Kelp status carries: standard conditions and the generation they describe.
 * Each subclass carries {@code @SchemaCustomizer(ConditionsByType.class)}: the generator
 * applies customizers to the annotated class only, not to its subclasses.
 */
public abstract class KelpStatus {

    @JsonPropertyDescription("The metadata.generation of the spec this status describes. Older than metadata.generation: the operator has not caught up with the latest change yet.")
    private Long observedGeneration;

    @SchemaFrom(type = ConditionSchema[].class)
    @JsonPropertyDescription("Standard Kubernetes conditions, one per type. Ready says whether the resource is in effect, and why not in its reason and message.")
    private List<Condition> conditions = new ArrayList<>();

    public Long getObservedGeneration() {
        return observedGeneration;
    }

    public void setObservedGeneration(Long observedGeneration) {
        this.observedGeneration = observedGeneration;
    }

    public List<Condition> getConditions() {
        return conditions;
    }

    public void setConditions(List<Condition> conditions) {
        this.conditions = conditions;
    }
}
