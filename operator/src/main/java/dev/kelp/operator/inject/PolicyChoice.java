package dev.kelp.operator.inject;

import dev.kelp.crds.v1alpha1.StoragePolicy;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;

/**
 * Which policy a pod asks for. The annotation {@code kelp.dev/policy} wins; otherwise the
 * policies of its namespace whose podSelector matches its labels. Two matching selectors are
 * a configuration error the pod's owner resolves with the annotation.
 */
sealed interface PolicyChoice {

    /** No annotation and no selector: not ours. */
    record None() implements PolicyChoice {
    }

    /** The pod names this policy, which may or may not exist. */
    record Named(String policy) implements PolicyChoice {
    }

    /** The pod is selected by exactly this policy's podSelector. */
    record Selected(StoragePolicy policy) implements PolicyChoice {
    }

    record Ambiguous(List<String> policies) implements PolicyChoice {
    }

    static PolicyChoice of(ObjectMeta pod, Supplier<List<StoragePolicy>> policiesInNamespace) {
        var annotations = pod.getAnnotations();
        if (annotations != null && annotations.containsKey(InjectionContract.POLICY_ANNOTATION)) {
            return new Named(annotations.get(InjectionContract.POLICY_ANNOTATION).trim());
        }
        var matching = policiesInNamespace.get().stream()
            .filter(p -> p.getSpec() != null && LabelSelectors.matches(p.getSpec().getPodSelector(), pod.getLabels()))
            .sorted(Comparator.comparing(p -> p.getMetadata().getName()))
            .toList();
        return switch (matching.size()) {
            case 0 -> new None();
            case 1 -> new Selected(matching.getFirst());
            default -> new Ambiguous(matching.stream().map(p -> p.getMetadata().getName()).toList());
        };
    }
}
