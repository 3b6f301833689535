package dev.kelp.operator.policy;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records core/v1 Events on Kelp resources, for {@code kubectl describe}. Callers record only
 * what changed (a new config hash, a condition flip), never on every reconcile. A failure to
 * record is logged and swallowed: an Event is a courtesy, not part of the reconcile.
 */
public final class KubeEvents {

    public static final String NORMAL = "Normal";
    public static final String WARNING = "Warning";

    private static final Logger LOG = LoggerFactory.getLogger(KubeEvents.class);
    private static final String COMPONENT = "kelp-operator";

    private final KubernetesClient client;
    private final String instance;
    private final Clock clock;

    public KubeEvents(KubernetesClient client, String instance, Clock clock) {
        this.client = client;
        this.instance = instance;
        this.clock = clock;
    }

    public void normal(HasMetadata about, String reason, String message) {
        record(about, NORMAL, reason, message);
    }

    public void warning(HasMetadata about, String reason, String message) {
        record(about, WARNING, reason, message);
    }

    private void record(HasMetadata about, String type, String reason, String message) {
        var meta = about.getMetadata();
        String now = Instant.now(clock).toString();
        var event = new EventBuilder()
            .withNewMetadata().withGenerateName(meta.getName() + ".").withNamespace(meta.getNamespace()).endMetadata()
            .withInvolvedObject(new ObjectReferenceBuilder()
                .withApiVersion(about.getApiVersion()).withKind(about.getKind())
                .withName(meta.getName()).withNamespace(meta.getNamespace()).withUid(meta.getUid())
                .build())
            .withType(type).withReason(reason)
            // The API server caps an Event message at 1 KiB.
            .withMessage(message.length() > 1024 ? message.substring(0, 1021) + "..." : message)
            .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
            .withNewSource().withComponent(COMPONENT).endSource()
            .withReportingComponent(COMPONENT).withReportingInstance(instance)
            .build();
        try {
            client.v1().events().inNamespace(meta.getNamespace()).resource(event).create();
        } catch (KubernetesClientException e) {
            LOG.warn("could not record event {} on {} {}/{}: {}", reason, about.getKind(), meta.getNamespace(), meta.getName(), e.getMessage());
        }
    }
}
