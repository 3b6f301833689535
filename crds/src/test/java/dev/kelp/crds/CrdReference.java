package dev.kelp.crds;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ValidationRule;
import io.fabric8.kubernetes.client.CustomResource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Renders docs/crd-reference.md from the generated CRDs: per kind, its names, its
 * {@code kubectl get} columns and a table of every field with its type, description and
 * the constraints the API server enforces. Generated from the schemas rather than written
 * by hand, so it cannot drift from what {@code kubectl explain} says.
 */
final class CrdReference {

    private CrdReference() {
    }

    static String render() {
        var out = new StringBuilder();
        out.append("<!-- Generated from the CRD schemas by dev.kelp.crds.CrdReference (crds test sources). Do not edit:\n")
            .append("     change the model in crds/src/main/java, then run ").append(CommittedFiles.REFRESH_COMMAND).append(" -->\n")
            .append("# Kelp custom resources: reference\n\n")
            .append("Group `kelp.dev`, version `v1alpha1`. Every field of the three kinds, as `kubectl explain` shows it.\n")
            .append("The API server enforces the constraints: YAML that breaks one is rejected with the message quoted here.\n")
            .append("Durations are Go durations (`720h`, `90m`, `30s`; no days). Byte amounts take a plain number of bytes\n")
            .append("or a Kubernetes quantity (`10Gi`); volume sizes need the unit.\n\n");
        for (var kind : PrintCrds.KINDS) {
            out.append("- [").append(kindName(kind)).append("](#").append(kindName(kind).toLowerCase(Locale.ROOT)).append(")\n");
        }
        for (var kind : PrintCrds.KINDS) {
            renderKind(kind, out);
        }
        return out.toString();
    }

    private static String kindName(Class<? extends CustomResource<?, ?>> kind) {
        return GeneratedCrds.crd(kind).getSpec().getNames().getKind();
    }

    private static void renderKind(Class<? extends CustomResource<?, ?>> kind, StringBuilder out) {
        var crd = GeneratedCrds.crd(kind);
        var names = crd.getSpec().getNames();
        out.append("\n## ").append(names.getKind()).append("\n\n")
            .append('`').append(crd.getMetadata().getName()).append("`, ").append(crd.getSpec().getScope().toLowerCase(Locale.ROOT))
            .append(", short names ").append(names.getShortNames().stream().map(n -> "`" + n + "`").collect(Collectors.joining(", ")))
            .append(".\n\n");
        List<CustomResourceColumnDefinition> columns = GeneratedCrds.version(kind).getAdditionalPrinterColumns();
        out.append("`kubectl get` columns: ").append(columnNames(columns, false));
        String wide = columnNames(columns, true);
        if (!wide.isEmpty()) {
            out.append("; with `-o wide` also ").append(wide);
        }
        out.append(".\n\n| field | type | description | constraints |\n| --- | --- | --- | --- |\n");
        for (var field : GeneratedCrds.fields(kind)) {
            out.append("| `").append(field.path()).append("` | ").append(type(field.schema())).append(" | ")
                .append(cell(field.schema().getDescription())).append(" | ").append(cell(constraints(field))).append(" |\n");
        }
    }

    private static String columnNames(List<CustomResourceColumnDefinition> columns, boolean wide) {
        return columns.stream()
            .filter(c -> (c.getPriority() != null && c.getPriority() > 0) == wide)
            .map(c -> c.getName().toUpperCase(Locale.ROOT))
            .collect(Collectors.joining(", "));
    }

    static String type(JSONSchemaProps schema) {
        if (Boolean.TRUE.equals(schema.getXKubernetesIntOrString())) {
            return "quantity";
        }
        if ("array".equals(schema.getType())) {
            return "array of " + type(schema.getItems().getSchema());
        }
        if ("object".equals(schema.getType()) && schema.getAdditionalProperties() != null
                && schema.getAdditionalProperties().getSchema() != null) {
            return "map of " + type(schema.getAdditionalProperties().getSchema());
        }
        return schema.getType();
    }

    static String constraints(GeneratedCrds.Field field) {
        var parts = new ArrayList<String>();
        JSONSchemaProps schema = field.schema();
        if (field.required()) {
            parts.add("required");
        }
        if (schema.getDefault() != null) {
            var value = schema.getDefault();
            parts.add("default `" + (value.isTextual() ? value.asText() : value.toString()) + "`");
        }
        describeValue(schema, parts);
        if (schema.getMinItems() != null || schema.getMaxItems() != null) {
            parts.add(range(schema.getMinItems(), schema.getMaxItems()) + " items");
        }
        if (schema.getItems() != null && schema.getItems().getSchema() != null) {
            var itemParts = new ArrayList<String>();
            describeValue(schema.getItems().getSchema(), itemParts);
            if (!itemParts.isEmpty()) {
                parts.add("each item: " + String.join(", ", itemParts));
            }
        }
        if (schema.getXKubernetesValidations() != null) {
            for (ValidationRule rule : schema.getXKubernetesValidations()) {
                parts.add("rule: \"" + rule.getMessage() + "\"");
            }
        }
        return String.join("; ", parts);
    }

    private static void describeValue(JSONSchemaProps schema, List<String> parts) {
        if (schema.getEnum() != null && !schema.getEnum().isEmpty()) {
            parts.add("one of " + schema.getEnum().stream().map(v -> "`" + v.asText() + "`").collect(Collectors.joining(", ")));
        }
        if (schema.getMinimum() != null || schema.getMaximum() != null) {
            parts.add(range(whole(schema.getMinimum()), whole(schema.getMaximum())));
        }
        if (schema.getMinLength() != null || schema.getMaxLength() != null) {
            parts.add("length " + range(schema.getMinLength(), schema.getMaxLength()));
        }
        if (schema.getPattern() != null) {
            parts.add("matches `" + schema.getPattern() + "`");
        }
    }

    private static Long whole(Double value) {
        return value == null ? null : value.longValue();
    }

    private static String range(Long min, Long max) {
        if (min != null && max != null) {
            return min + " to " + max;
        }
        return min != null ? "at least " + min : "at most " + max;
    }

    /** Markdown table cells cannot hold a raw pipe or a line break, and <port> would read as an HTML tag. */
    private static String cell(String text) {
        return text == null ? "" : text.replace("|", "\\|").replace("\n", " ").replace("<", "&lt;").replace(">", "&gt;");
    }
}
