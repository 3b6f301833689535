package dev.kelp.operator.inject;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Warning events on pods, for what a person should see in {@code kubectl describe pod}. */
public final class PodEvents {

    /** The pod was admitted, by the webhook or around it, without the agent its policy asks for. */
    public static final String AGENT_NOT_INJECTED = "KelpAgentNotInjected";

    private static final Logger LOG = LoggerFactory.getLogger(PodEvents.class);

    private final KubernetesClient client;

    /** Like the kubelet's {@code <pod>.<suffix>}; a generateName prefix ("web-") loses its dash to stay a valid name. */
    static String eventPrefix(String podName) {
        String base = podName.length() > 200 ? podName.substring(0, 200) : podName;
        base = base.replaceAll("[-.]+$", "");
        return (base.isEmpty() ? "pod" : base) + ".";
    }

    public PodEvents(KubernetesClient client) {
        this.client = client;
    }

    /**
     * @param uid null at admission, when the pod has none yet: the event then matches the pod
     *            by namespace and name only
     */
    public void warn(String namespace, String podName, String uid, String reason, String message) {
        String now = Instant.now().toString();
        var event = new EventBuilder()
            .withNewMetadata().withGenerateName(eventPrefix(podName)).withNamespace(namespace).endMetadata()
            .withNewInvolvedObject().withApiVersion("v1").withKind("Pod").withNamespace(namespace).withName(podName).withUid(uid).endInvolvedObject()
            .withType("Warning").withReason(reason).withMessage(message)
            .withNewSource().withComponent("kelp-operator").endSource()
            .withReportingComponent("kelp.dev/operator").withReportingInstance(System.getenv().getOrDefault("HOSTNAME", "kelp-operator"))
            .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
            .build();
        try {
            client.v1().events().inNamespace(namespace).resource(event).create();
        } catch (RuntimeException e) {
            // An event is advice: failing to record one must not fail the admission or the watch.
            LOG.warn("Could not record event {} on pod {}/{}: {}", reason, namespace, podName, e.toString());
        }
    }
}
