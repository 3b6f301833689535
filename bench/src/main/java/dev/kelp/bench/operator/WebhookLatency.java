package dev.kelp.bench.operator;

import dev.kelp.operator.inject.InjectionWebhookConfiguration;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Phase (b): the operator's webhook registered the way {@link InjectionWebhookConfiguration}
 * builds it, at a URL on loopback and with the CA from the operator's own TLS Secret; then N
 * annotated pods created one after the other. The API server's histogram of the webhook's
 * admission time is one figure; the stored pods are the check.
 *
 * <p>The other figure is what the webhook adds to a pod's creation, timed by the client at
 * full resolution (the API server's histogram has 5/25/100 ms buckets): each annotated pod has
 * a twin, the pod exactly as the webhook made it (from a dry run, sidecar and volumes included,
 * so the API server stores as many bytes), without the policy annotation and label, created in
 * the operator's namespace, which the webhook skips. Pod and twin are created back to back,
 * in alternating order so that neither always goes first; the difference of their latencies'
 * percentiles is the webhook's cost as a user of the API server sees it.
 */
final class WebhookLatency {

    static final String POLICY_ANNOTATION = "kelp.dev/policy";
    /** Marks the twins, so they can be deleted in one call. */
    static final String TWIN_LABEL = "bench.kelp.dev/twin";

    /** A pod the webhook admitted: what a simulated agent reports for. */
    record AgentPod(String name, String uid, String policy) {
    }

    /**
     * @param clientCreate  create latencies of the annotated pods (the webhook called)
     * @param twinCreate    create latencies of their twins (the webhook not called)
     */
    record Result(int pods, Percentiles clientCreate, Percentiles twinCreate, ApiServerMetrics.WebhookHistogram webhook, int injected,
                  List<AgentPod> agents, Duration wall, DirectAdmissionReviews.Result direct) {
    }

    private final KubernetesClient client;
    private final String namespace;
    private final OperatorProcess operator;

    WebhookLatency(KubernetesClient client, String namespace, OperatorProcess operator) {
        this.client = client;
        this.namespace = namespace;
        this.operator = operator;
    }

    /** The CA the operator issued itself, once it has written its Secret. */
    String operatorCa(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Secret tls = client.secrets().inNamespace(operator.namespace).withName(operator.tlsSecret).get();
            if (tls != null && tls.getData() != null && tls.getData().containsKey("ca.crt")) {
                return new String(Base64.getDecoder().decode(tls.getData().get("ca.crt")), StandardCharsets.US_ASCII);
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("no Secret " + operator.namespace + "/" + operator.tlsSecret + " with ca.crt after " + timeout);
    }

    Result run(int count, int policies, String caPem) throws Exception {
        InjectionWebhookConfiguration.apply(client, InjectionWebhookConfiguration.forUrl(operator.webhookConfiguration,
            "https://127.0.0.1:" + operator.webhookPort, caPem, InjectionWebhookConfiguration.excluded(operator.namespace)));
        awaitServed(Duration.ofSeconds(60));
        // A few dry runs so the API server has its connection to the webhook and both JITs have
        // seen the path once: the figure is the steady cost of admitting a pod, not the first one.
        for (int i = 0; i < 20; i++) {
            client.pods().inNamespace(namespace).resource(pod("warmup-" + i, PoliciesToReady.policyName(i % policies))).dryRun().create();
        }
        List<Pod> twins = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            twins.add(twin(client.pods().inNamespace(namespace).resource(pod(String.format("app-%04d", i), PoliciesToReady.policyName(i % policies)))
                .dryRun().create()));
        }
        var before = ApiServerMetrics.scrape(client);
        long[] latencies = new long[count];
        long[] twinLatencies = new long[count];
        List<AgentPod> agents = new ArrayList<>(count);
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            if (i % 2 == 1) {
                twinLatencies[i] = timedCreate(twins.get(i));
            }
            String policy = PoliciesToReady.policyName(i % policies);
            long t0 = System.nanoTime();
            Pod stored = client.pods().inNamespace(namespace).resource(pod(String.format("app-%04d", i), policy)).create();
            latencies[i] = System.nanoTime() - t0;
            agents.add(new AgentPod(stored.getMetadata().getName(), stored.getMetadata().getUid(), policy));
            if (i % 2 == 0) {
                twinLatencies[i] = timedCreate(twins.get(i));
            }
        }
        long wall = System.nanoTime() - start;
        var histogram = ApiServerMetrics.scrape(client).minus(before).webhook(InjectionWebhookConfiguration.ANNOTATED);
        int injected = (int) client.pods().inNamespace(namespace).list().getItems().stream()
            .filter(p -> p.getMetadata().getName().startsWith("app-"))
            .filter(p -> !p.getSpec().getInitContainers().isEmpty() && "kelp-agent".equals(p.getSpec().getInitContainers().getFirst().getName()))
            .filter(p -> p.getMetadata().getLabels() != null && p.getMetadata().getLabels().containsKey(POLICY_ANNOTATION))
            .count();
        client.pods().inNamespace(operator.namespace).withLabel(TWIN_LABEL).delete();
        var direct = DirectAdmissionReviews.run(operator.webhookPort, caPem, namespace, count,
            i -> pod(String.format("direct-%04d", i), PoliciesToReady.policyName(i % policies)));
        return new Result(count, Percentiles.ofNanos(latencies), Percentiles.ofNanos(twinLatencies), histogram, injected, agents, Duration.ofNanos(wall), direct);
    }

    private long timedCreate(Pod pod) {
        long t0 = System.nanoTime();
        client.pods().inNamespace(operator.namespace).resource(pod).create();
        return System.nanoTime() - t0;
    }

    /**
     * {@code injected} as a pod of its own for the operator's namespace: what the API server set
     * (uid, resourceVersion, timestamps, managed fields) cleared, the policy annotation and label
     * swapped for {@link #TWIN_LABEL} so that neither the webhook nor the operator's pod watch
     * takes it for an app of a policy.
     */
    private Pod twin(Pod injected) {
        var twin = new PodBuilder(injected).editMetadata()
            .withNamespace(operator.namespace).withName("twin-" + injected.getMetadata().getName())
            .withUid(null).withResourceVersion(null).withCreationTimestamp(null).withManagedFields(List.of()).withGeneration(null)
            .removeFromAnnotations(POLICY_ANNOTATION).removeFromLabels(POLICY_ANNOTATION).addToLabels(TWIN_LABEL, "true")
            .endMetadata().build();
        twin.setStatus(null);
        return twin;
    }

    /** The API server picks a new webhook configuration up from its own informer: wait until a dry run is injected. */
    private void awaitServed(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                Pod dry = client.pods().inNamespace(namespace).resource(pod("probe", PoliciesToReady.policyName(0))).dryRun().create();
                if (!dry.getSpec().getInitContainers().isEmpty()) {
                    return;
                }
            } catch (Exception e) {
                last = e;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the API server did not call the webhook within " + timeout, last);
    }

    /** An ordinary app pod that names its policy: the webhook adds the agent, its label and volumes. */
    private Pod pod(String name, String policy) {
        return new PodBuilder()
            .withNewMetadata().withName(name).withNamespace(namespace)
                .addToLabels("app", "shop").addToAnnotations(POLICY_ANNOTATION, policy).endMetadata()
            .withNewSpec()
                .addNewContainer().withName("app").withImage("ghcr.io/example/shop:1.4.2")
                    .addNewPort().withContainerPort(8080).endPort()
                    .withNewResources().addToRequests("cpu", new io.fabric8.kubernetes.api.model.Quantity("100m"))
                        .addToRequests("memory", new io.fabric8.kubernetes.api.model.Quantity("128Mi")).endResources()
                .endContainer()
            .endSpec()
            .build();
    }
}
