package dev.kelp.operator.chart;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The objects of a rendered chart ({@code helm template}, {@code helm get manifest}), each
 * parsed by fabric8 into its model class (a {@code GenericKubernetesResource} for kinds fabric8
 * does not know, such as cert-manager's), so a document that is not a valid object fails here.
 */
record Manifest(List<HasMetadata> objects) {

    private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("(?m)^---\\s*$");

    static Manifest parse(String yaml) {
        var objects = new ArrayList<HasMetadata>();
        for (String document : DOCUMENT_SEPARATOR.split(yaml)) {
            if (document.lines().allMatch(line -> line.isBlank() || line.stripLeading().startsWith("#"))) {
                continue;
            }
            Object parsed = Serialization.unmarshal(document);
            if (!(parsed instanceof HasMetadata object)) {
                throw new IllegalArgumentException("not a Kubernetes object:\n" + document);
            }
            objects.add(object);
        }
        return new Manifest(List.copyOf(objects));
    }

    <T extends HasMetadata> List<T> all(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    List<HasMetadata> ofKind(String kind) {
        return objects.stream().filter(o -> kind.equals(o.getKind())).toList();
    }

    <T extends HasMetadata> T one(Class<T> type) {
        List<T> found = all(type);
        if (found.size() != 1) {
            throw new AssertionError("expected one " + type.getSimpleName() + ", found " + found.size() + ": " + names(found));
        }
        return found.getFirst();
    }

    <T extends HasMetadata> T named(Class<T> type, String name) {
        return all(type).stream().filter(o -> name.equals(o.getMetadata().getName())).findFirst()
            .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " named " + name + " among " + names(all(type))));
    }

    static String describe(HasMetadata o) {
        String namespace = o.getMetadata().getNamespace();
        return o.getKind() + " " + (namespace == null ? "" : namespace + "/") + o.getMetadata().getName();
    }

    private static List<String> names(List<? extends HasMetadata> objects) {
        return objects.stream().map(Manifest::describe).toList();
    }
}
