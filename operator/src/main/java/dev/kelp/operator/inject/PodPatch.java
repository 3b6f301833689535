package dev.kelp.operator.inject;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The JSONPatch (RFC 6902) that turns an admitted pod into one with the agent. Built from
 * explicit operations rather than a diff, so the patch says exactly what the webhook adds and
 * never rewrites a field of the app's it merely failed to round-trip.
 */
public final class PodPatch {

    /** The kubelet's default when the pod sets no grace period. */
    static final long DEFAULT_GRACE_SECONDS = 30;

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final ObjectMapper JSON = new ObjectMapper();

    private PodPatch() {
    }

    /**
     * @param pod     the pod as admitted
     * @param sidecar the agent container, put first among the init containers
     * @param volumes the agent's volumes, appended
     * @param labels  labels to set; annotations likewise
     * @param drain   added to the pod's grace period: the kubelet stops a native sidecar only
     *                after the app has exited, from what is left of the same grace period
     */
    public static ArrayNode of(Pod pod, Container sidecar, List<Volume> volumes, Map<String, String> labels,
                               Map<String, String> annotations, Duration drain) {
        ArrayNode ops = JSON.createArrayNode();
        var spec = pod.getSpec();
        if (spec.getInitContainers() == null || spec.getInitContainers().isEmpty()) {
            add(ops, "/spec/initContainers", JSON.createArrayNode().add(tree(sidecar)));
        } else {
            add(ops, "/spec/initContainers/0", tree(sidecar));
        }
        if (spec.getVolumes() == null || spec.getVolumes().isEmpty()) {
            ArrayNode all = JSON.createArrayNode();
            volumes.forEach(v -> all.add(tree(v)));
            add(ops, "/spec/volumes", all);
        } else {
            volumes.forEach(v -> add(ops, "/spec/volumes/-", tree(v)));
        }
        putAll(ops, "/metadata/labels", pod.getMetadata().getLabels(), labels);
        putAll(ops, "/metadata/annotations", pod.getMetadata().getAnnotations(), annotations);
        long grace = spec.getTerminationGracePeriodSeconds() == null ? DEFAULT_GRACE_SECONDS : spec.getTerminationGracePeriodSeconds();
        add(ops, "/spec/terminationGracePeriodSeconds", JSON.getNodeFactory().numberNode(grace + drain.toSeconds()));
        return ops;
    }

    private static void putAll(ArrayNode ops, String path, Map<String, String> existing, Map<String, String> entries) {
        if (entries.isEmpty()) {
            return;
        }
        if (existing == null || existing.isEmpty()) {
            ObjectNode map = JSON.createObjectNode();
            entries.forEach(map::put);
            add(ops, path, map);
        } else {
            // "add" on an existing member replaces its value, which is what we want for our own keys.
            entries.forEach((k, v) -> add(ops, path + "/" + escape(k), JSON.getNodeFactory().textNode(v)));
        }
    }

    private static void add(ArrayNode ops, String path, JsonNode value) {
        ops.addObject().put("op", "add").put("path", path).set("value", value);
    }

    /** JSON Pointer escaping (RFC 6901): label keys contain '/'. */
    static String escape(String key) {
        return key.replace("~", "~0").replace("/", "~1");
    }

    private static JsonNode tree(Object model) {
        try {
            return JSON.readTree(SERIALIZATION.asJson(model));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
