package dev.kelp.operator.inject;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionRequest;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponse;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponseBuilder;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReview;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReviewBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mutating admission webhook at {@code /mutate-pods}: AdmissionReview v1 in, a JSONPatch
 * out. Any answer it gives is an answer: an error inside is answered as the failure policies
 * would answer it (a refusal with the reason for an annotated pod, admission with a warning
 * for any other), never a 500 the API server would log and apply silently.
 */
public final class PodMutationWebhook implements HttpHandler {

    public static final String PATH = "/mutate-pods";

    /** An AdmissionReview of a pod is well under etcd's 1.5 MiB object limit, twice. */
    static final int MAX_BODY_BYTES = 4 * 1024 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(PodMutationWebhook.class);

    private final PodInjector injector;
    private final PodEvents events;
    private final KubernetesSerialization serialization = new KubernetesSerialization();

    public PodMutationWebhook(PodInjector injector, PodEvents events) {
        this.injector = injector;
        this.events = events;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"POST".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] body = readLimited(exchange.getRequestBody());
            if (body == null) {
                exchange.sendResponseHeaders(413, -1);
                return;
            }
            AdmissionReview review;
            try {
                review = serialization.unmarshal(new String(body, StandardCharsets.UTF_8), AdmissionReview.class);
            } catch (RuntimeException e) {
                exchange.sendResponseHeaders(400, -1);
                return;
            }
            if (review == null || review.getRequest() == null) {
                exchange.sendResponseHeaders(400, -1);
                return;
            }
            byte[] answer = serialization.asJson(new AdmissionReviewBuilder()
                .withApiVersion("admission.k8s.io/v1").withKind("AdmissionReview")
                .withResponse(respond(review.getRequest()))
                .build()).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
        }
    }

    AdmissionResponse respond(AdmissionRequest request) {
        var response = new AdmissionResponseBuilder().withUid(request.getUid()).withAllowed(true);
        if (!"Pod".equals(request.getKind() == null ? null : request.getKind().getKind()) || !"CREATE".equals(request.getOperation())) {
            return response.build(); // only pod creation is registered; anything else passes through
        }
        String namespace = request.getNamespace();
        Pod pod;
        try {
            pod = serialization.convertValue(request.getObject(), Pod.class);
        } catch (RuntimeException e) {
            return refuse(response, "cannot read the pod: " + e.getMessage());
        }
        if (pod.getMetadata() == null || pod.getSpec() == null) {
            return response.build();
        }
        String podName = podName(pod);
        InjectionDecision decision;
        try {
            decision = injector.decide(pod, namespace);
        } catch (RuntimeException e) {
            LOG.error("Injection into pod {}/{} failed", namespace, podName, e);
            // The same choice as the failure policies: a pod that named a policy is refused, any
            // other pod (most are not Kelp's at all) is let through.
            String message = "Kelp could not decide on its agent: " + e;
            var annotations = pod.getMetadata().getAnnotations();
            return annotations != null && annotations.containsKey(InjectionContract.POLICY_ANNOTATION)
                ? refuse(response, message)
                : response.withWarnings(List.of(message)).build();
        }
        return switch (decision) {
            case InjectionDecision.Untouched u -> response.build();
            case InjectionDecision.Inject i -> {
                LOG.debug("Injecting the agent of policy {} into pod {}/{}", i.policy(), namespace, podName);
                yield response.withPatchType("JSONPatch")
                    .withPatch(Base64.getEncoder().encodeToString(i.patch().toString().getBytes(StandardCharsets.UTF_8)))
                    .build();
            }
            case InjectionDecision.Refuse r -> {
                LOG.info("Refused pod {}/{}: {}", namespace, podName, r.message());
                yield refuse(response, r.message());
            }
            case InjectionDecision.AdmitWithoutAgent a -> {
                LOG.warn("Admitted pod {}/{} without the agent: {}", namespace, podName, a.message());
                // sideEffects NoneOnDryRun: a dry run records nothing.
                if (!Boolean.TRUE.equals(request.getDryRun())) {
                    events.warn(namespace, podName, null, PodEvents.AGENT_NOT_INJECTED, a.message());
                }
                yield response.withWarnings(List.of(a.message())).build();
            }
        };
    }

    /** At admission a pod made from generateName has no name yet; its prefix says whose it is. */
    private static String podName(Pod pod) {
        var meta = pod.getMetadata();
        return meta.getName() != null && !meta.getName().isBlank() ? meta.getName()
            : meta.getGenerateName() != null ? meta.getGenerateName() : "";
    }

    private static AdmissionResponse refuse(AdmissionResponseBuilder response, String message) {
        return response.withAllowed(false)
            .withStatus(new StatusBuilder().withCode(403).withReason("Forbidden").withMessage(message).build())
            .build();
    }

    private static byte[] readLimited(InputStream in) throws IOException {
        byte[] bytes = in.readNBytes(MAX_BODY_BYTES + 1);
        return bytes.length > MAX_BODY_BYTES ? null : bytes;
    }
}
