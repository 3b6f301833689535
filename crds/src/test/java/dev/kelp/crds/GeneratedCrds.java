package dev.kelp.crds;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The CRDs the build generated, read back from the classpath, and the fields of their schemas. */
final class GeneratedCrds {

    private static final KubernetesSerialization YAML = new KubernetesSerialization();

    /** One field of a schema: its dotted path ({@code []} for array items), its schema, and whether it is required. */
    record Field(String path, JSONSchemaProps schema, boolean required) {
    }

    private GeneratedCrds() {
    }

    static CustomResourceDefinition crd(Class<? extends CustomResource<?, ?>> kind) {
        return YAML.unmarshal(yaml(kind), CustomResourceDefinition.class);
    }

    static String yaml(Class<? extends CustomResource<?, ?>> kind) {
        return PrintCrds.read(PrintCrds.DIRECTORY + PrintCrds.fileName(kind));
    }

    static CustomResourceDefinitionVersion version(Class<? extends CustomResource<?, ?>> kind) {
        return crd(kind).getSpec().getVersions().getFirst();
    }

    static JSONSchemaProps schema(Class<? extends CustomResource<?, ?>> kind) {
        return version(kind).getSchema().getOpenAPIV3Schema();
    }

    /** Every field of the kind's schema at every depth, parents before children, in schema order. */
    static List<Field> fields(Class<? extends CustomResource<?, ?>> kind) {
        var fields = new ArrayList<Field>();
        walk("", schema(kind), fields);
        return fields;
    }

    private static void walk(String prefix, JSONSchemaProps object, List<Field> into) {
        if (object.getProperties() == null) {
            return;
        }
        List<String> required = object.getRequired() == null ? List.of() : object.getRequired();
        for (Map.Entry<String, JSONSchemaProps> property : object.getProperties().entrySet()) {
            String path = prefix + property.getKey();
            JSONSchemaProps schema = property.getValue();
            into.add(new Field(path, schema, required.contains(property.getKey())));
            walk(path + ".", schema, into);
            if (schema.getItems() != null && schema.getItems().getSchema() != null) {
                walk(path + "[].", schema.getItems().getSchema(), into);
            }
            if (schema.getAdditionalProperties() != null && schema.getAdditionalProperties().getSchema() != null) {
                walk(path + "{}.", schema.getAdditionalProperties().getSchema(), into);
            }
        }
    }
}
