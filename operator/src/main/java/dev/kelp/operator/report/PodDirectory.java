package dev.kelp.operator.report;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The pods that carry {@code kelp.dev/policy}, from a fabric8 informer: its cache answers
 * "does this pod exist with this UID and this policy" and "which pods does this policy have"
 * without a request to the API server. One watch for the whole fleet, cluster-wide or in one
 * namespace.
 */
public final class PodDirectory implements AutoCloseable {

    public static final String POLICY_LABEL = "kelp.dev/policy";
    private static final String BY_POLICY = "by-policy";

    private final SharedIndexInformer<Pod> informer;

    private PodDirectory(SharedIndexInformer<Pod> informer) {
        this.informer = informer;
    }

    /**
     * An informer on the labelled pods of {@code namespace} (null: every namespace), not yet
     * started; {@link #start()} it after adding handlers.
     */
    public static PodDirectory create(KubernetesClient client, String namespace) {
        var pods = namespace == null ? client.pods().inAnyNamespace().withLabel(POLICY_LABEL)
            : client.pods().inNamespace(namespace).withLabel(POLICY_LABEL);
        SharedIndexInformer<Pod> informer = pods.runnableInformer(0);
        informer.addIndexers(Map.of(BY_POLICY, pod -> List.of(policyKey(pod.getMetadata().getNamespace(), policyOf(pod)))));
        return new PodDirectory(informer);
    }

    void addHandler(ResourceEventHandler<Pod> handler) {
        informer.addEventHandler(handler);
    }

    /** Starts the informer and waits (up to {@code timeoutSeconds}) for its first list. */
    public PodDirectory start(long timeoutSeconds) {
        try {
            informer.start().toCompletableFuture().get(timeoutSeconds, TimeUnit.SECONDS);
            return this;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the pod informer synced", e);
        } catch (Exception e) {
            throw new IllegalStateException("the pod informer did not sync within " + timeoutSeconds + " s", e);
        }
    }

    public boolean hasSynced() {
        return informer.hasSynced();
    }

    Optional<Pod> find(String namespace, String name) {
        return Optional.ofNullable(informer.getStore().getByKey(Cache.namespaceKeyFunc(namespace, name)));
    }

    /** The policy's pods that still count as its agents (not finished). */
    List<Pod> podsOf(String namespace, String policy) {
        return informer.getIndexer().byIndex(BY_POLICY, policyKey(namespace, policy)).stream()
            .filter(PodDirectory::counts).toList();
    }

    static String policyOf(Pod pod) {
        var labels = pod.getMetadata().getLabels();
        return labels == null ? null : labels.get(POLICY_LABEL);
    }

    /** A pod that succeeded or failed runs no agent any more, though it may linger as an object. */
    static boolean counts(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return !"Succeeded".equals(phase) && !"Failed".equals(phase);
    }

    private static String policyKey(String namespace, String policy) {
        return namespace + "/" + policy;
    }

    @Override
    public void close() {
        informer.close();
    }
}
