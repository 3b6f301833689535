package dev.kelp.operator.inject;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.ReducedStateItemStore;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds pods that ask for an agent (annotation or podSelector) but run without one: admitted
 * while the webhook was down or unregistered (failurePolicy Ignore), in a namespace it does
 * not watch, or by a policy's Admit. Each gets one Warning event; {@link #uninjected} gives
 * the count per policy for its status, and the listener hears when a count changes.
 *
 * <p>It watches every pod, since annotations cannot be selected server-side; its cache keeps
 * only labels, annotations and init containers of each pod, not whole pods.
 */
public final class UninjectedPodDetector implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(UninjectedPodDetector.class);

    private record Key(String namespace, String policy) {
    }

    private final Policies policies;
    private final PodEvents events;
    private final BiConsumer<String, String> onCountChange;
    private final Map<String, Key> uninjectedByUid = new ConcurrentHashMap<>();
    private final Map<Key, Integer> counts = new ConcurrentHashMap<>();
    private SharedIndexInformer<Pod> informer;

    /**
     * @param onCountChange called with (namespace, policy) when that policy's count changes,
     *                      e.g. to trigger its reconcile; must not block
     */
    public UninjectedPodDetector(Policies policies, PodEvents events, BiConsumer<String, String> onCountChange) {
        this.policies = policies;
        this.events = events;
        this.onCountChange = onCountChange;
    }

    /** Starts watching every namespace; pods already there are checked on the first list. */
    public UninjectedPodDetector start(KubernetesClient client, Duration resync, Duration syncTimeout) {
        informer = client.pods().inAnyNamespace().runnableInformer(resync.toMillis());
        informer.itemStore(new ReducedStateItemStore<>(ReducedStateItemStore.UID_KEY_STATE, Pod.class, new KubernetesSerialization(),
            "metadata.labels", "metadata.annotations", "metadata.deletionTimestamp", "spec.initContainers"));
        informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                observe(pod);
            }

            @Override
            public void onUpdate(Pod old, Pod pod) {
                observe(pod);
            }

            @Override
            public void onDelete(Pod pod, boolean finalStateUnknown) {
                forget(pod.getMetadata().getUid());
            }
        });
        try {
            informer.start().toCompletableFuture().get(syncTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while listing pods", e);
        } catch (Exception e) {
            throw new IllegalStateException("pod informer did not sync within " + syncTimeout, e);
        }
        return this;
    }

    /** Pods of the policy that asked for the agent and have none. */
    public int uninjected(String namespace, String policy) {
        return counts.getOrDefault(new Key(namespace, policy), 0);
    }

    void observe(Pod pod) {
        var meta = pod.getMetadata();
        String uid = meta.getUid();
        if (meta.getDeletionTimestamp() != null || PodInjector.hasAgent(pod)) {
            forget(uid);
            return;
        }
        String namespace = meta.getNamespace();
        String policy = switch (PolicyChoice.of(meta, () -> policies.inNamespace(namespace))) {
            case PolicyChoice.Named n -> n.policy();
            case PolicyChoice.Selected s -> s.policy().getMetadata().getName();
            case PolicyChoice.Ambiguous a -> a.policies().getFirst();
            case PolicyChoice.None n -> null;
        };
        if (policy == null) {
            forget(uid);
            return;
        }
        var key = new Key(namespace, policy);
        Key before = uninjectedByUid.put(uid, key);
        if (key.equals(before)) {
            return;
        }
        if (before != null) {
            count(before, -1);
        }
        count(key, +1);
        String message = "pod runs without the Kelp agent of StoragePolicy \"" + policy + "\": it was admitted while the injection webhook"
            + " was unreachable or not registered, or the policy admits pods it cannot inject; delete the pod to have it recreated with the agent";
        LOG.warn("Pod {}/{} asked for StoragePolicy {} but has no {} container", namespace, meta.getName(), policy, InjectionContract.CONTAINER);
        events.warn(namespace, meta.getName(), uid, PodEvents.AGENT_NOT_INJECTED, message);
    }

    private void forget(String uid) {
        Key before = uid == null ? null : uninjectedByUid.remove(uid);
        if (before != null) {
            count(before, -1);
        }
    }

    private void count(Key key, int delta) {
        counts.merge(key, delta, (a, b) -> a + b == 0 ? null : a + b);
        onCountChange.accept(key.namespace(), key.policy());
    }

    @Override
    public void close() {
        if (informer != null) {
            informer.close();
        }
    }
}
