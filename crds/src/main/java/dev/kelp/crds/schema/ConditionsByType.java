package dev.kelp.crds.schema;

import io.fabric8.crdv2.generator.v1.SchemaCustomizer;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;

/**
 * Marks a status schema's {@code conditions} as a list keyed by {@code type}
 * ({@code x-kubernetes-list-type: map}), so server-side apply merges conditions by type and
 * the API server refuses two conditions of the same type. Run by the CRD generator only
 * (through {@code @SchemaCustomizer} on each status class); the generator's own merge-patch
 * customizer would replace the whole {@code properties} map instead of merging into it.
 */
public final class ConditionsByType implements SchemaCustomizer.Customizer {

    public ConditionsByType() {
    }

    @Override
    public JSONSchemaProps apply(JSONSchemaProps schema, String input, KubernetesSerialization serialization) {
        JSONSchemaProps conditions = schema.getProperties().get("conditions");
        if (conditions == null) {
            throw new IllegalStateException("@SchemaCustomizer(ConditionsByType) on a class without a conditions property");
        }
        conditions.setXKubernetesListType("map");
        conditions.setXKubernetesListMapKeys(List.of("type"));
        return schema;
    }
}
