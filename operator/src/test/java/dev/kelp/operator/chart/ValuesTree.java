package dev.kelp.operator.chart;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Walks values.yaml and values.schema.json side by side, by dotted paths such as {@code operator.image.tag}. */
final class ValuesTree {

    private ValuesTree() {
    }

    /** Every value that is not a non-empty map: what a user sets. */
    static List<String> leaves(Map<?, ?> values) {
        var out = new ArrayList<String>();
        leaves(values, "", out);
        return out;
    }

    /** The schema node for a dotted path, following properties, additionalProperties and $refs. */
    static Map<?, ?> schemaOf(Map<?, ?> root, String path) {
        Map<?, ?> node = root;
        for (String key : path.split("\\.")) {
            node = resolve(root, node);
            Object next = node.get("properties") instanceof Map<?, ?> properties ? properties.get(key) : null;
            if (next == null) {
                next = node.get("additionalProperties");
            }
            if (!(next instanceof Map<?, ?> map)) {
                throw new AssertionError("values.schema.json has no schema for " + path + " (at " + key + ")");
            }
            node = map;
        }
        return resolve(root, node);
    }

    /** {@code a.b.c} → {@code a}, {@code a.b}, {@code a.b.c}: a value documented as a whole covers its parts. */
    static List<String> selfAndAncestors(String path) {
        var keys = new ArrayList<String>();
        for (int i = path.indexOf('.'); i > 0; i = path.indexOf('.', i + 1)) {
            keys.add(path.substring(0, i));
        }
        keys.add(path);
        return keys;
    }

    private static void leaves(Map<?, ?> node, String prefix, List<String> out) {
        node.forEach((key, value) -> {
            String path = prefix.isEmpty() ? String.valueOf(key) : prefix + "." + key;
            if (value instanceof Map<?, ?> map && !map.isEmpty()) {
                leaves(map, path, out);
            } else {
                out.add(path);
            }
        });
    }

    private static Map<?, ?> resolve(Map<?, ?> root, Map<?, ?> node) {
        while (node.get("$ref") instanceof String ref) {
            node = (Map<?, ?>) ((Map<?, ?>) root.get("definitions")).get(ref.substring("#/definitions/".length()));
        }
        return node;
    }
}
