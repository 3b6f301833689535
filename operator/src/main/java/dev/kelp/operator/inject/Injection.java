package dev.kelp.operator.inject;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.function.BiConsumer;

/**
 * Sidecar injection as one unit for the operator's main: the policy caches, the webhook
 * mounted on the operator's endpoint, and the detector of pods admitted without the agent.
 */
public final class Injection implements AutoCloseable {

    static final Duration SYNC_TIMEOUT = Duration.ofMinutes(2);
    /** Re-checks every pod now and then, so a podSelector changed since a pod started is seen. */
    static final Duration DETECTOR_RESYNC = Duration.ofMinutes(10);

    private final PolicyCatalog catalog;
    private final PodMutationWebhook webhook;
    private final UninjectedPodDetector detector;

    private Injection(PolicyCatalog catalog, PodMutationWebhook webhook, UninjectedPodDetector detector) {
        this.catalog = catalog;
        this.webhook = webhook;
        this.detector = detector;
    }

    /**
     * Starts the caches and the detector; mount {@link #webhook()} at
     * {@link PodMutationWebhook#PATH} on the operator's endpoint before it starts.
     *
     * @param onUninjectedChange hears (namespace, policy) when that policy's count of pods
     *                           without the agent changes; must not block
     */
    public static Injection start(KubernetesClient client, InjectionSettings settings,
                                  BiConsumer<String, String> onUninjectedChange) {
        var catalog = PolicyCatalog.start(client, SYNC_TIMEOUT);
        var events = new PodEvents(client);
        var injector = new PodInjector(catalog, settings.agentDefaults(), settings.whenPolicyMissing());
        var detector = new UninjectedPodDetector(catalog, events, onUninjectedChange).start(client, DETECTOR_RESYNC, SYNC_TIMEOUT);
        return new Injection(catalog, new PodMutationWebhook(injector, events), detector);
    }

    /** The handler the API server calls. */
    public PodMutationWebhook webhook() {
        return webhook;
    }

    /** Pods of the policy that asked for the agent and run without it, for the policy's status. */
    public int uninjected(String namespace, String policy) {
        return detector.uninjected(namespace, policy);
    }

    @Override
    public void close() {
        detector.close();
        catalog.close();
    }
}
