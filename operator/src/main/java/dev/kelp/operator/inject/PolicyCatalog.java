package dev.kelp.operator.inject;

import dev.kelp.crds.v1alpha1.StoragePolicy;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Policies and agent ConfigMaps from informer caches, so admitting a pod costs no call to the
 * API server (the webhook's latency budget is a few milliseconds, and it sits in the path of
 * every pod creation). A cache miss is confirmed with a direct GET: a policy created a moment
 * before its first pod may not have reached the cache yet, and refusing that pod would be
 * wrong. Only ConfigMaps labelled {@code app.kubernetes.io/managed-by: kelp-operator} are
 * cached, so the cache holds Kelp's objects, not the cluster's.
 */
public final class PolicyCatalog implements Policies, AutoCloseable {

    private final KubernetesClient client;
    private final SharedIndexInformer<StoragePolicy> policies;
    private final SharedIndexInformer<ConfigMap> configMaps;

    private PolicyCatalog(KubernetesClient client, SharedIndexInformer<StoragePolicy> policies, SharedIndexInformer<ConfigMap> configMaps) {
        this.client = client;
        this.policies = policies;
        this.configMaps = configMaps;
    }

    /** Starts both informers and waits until their first list is in. */
    public static PolicyCatalog start(KubernetesClient client, Duration syncTimeout) {
        var policies = client.resources(StoragePolicy.class).inAnyNamespace().runnableInformer(0);
        var configMaps = client.configMaps().inAnyNamespace()
            .withLabel(InjectionContract.MANAGED_BY_LABEL, InjectionContract.MANAGED_BY).runnableInformer(0);
        try {
            policies.start().toCompletableFuture().get(syncTimeout.toMillis(), TimeUnit.MILLISECONDS);
            configMaps.start().toCompletableFuture().get(syncTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while syncing the policy caches", e);
        } catch (Exception e) {
            policies.close();
            configMaps.close();
            throw new IllegalStateException("policy caches did not sync within " + syncTimeout, e);
        }
        return new PolicyCatalog(client, policies, configMaps);
    }

    @Override
    public Optional<StoragePolicy> policy(String namespace, String name) {
        var cached = policies.getStore().getByKey(Cache.namespaceKeyFunc(namespace, name));
        if (cached != null) {
            return Optional.of(cached);
        }
        return Optional.ofNullable(client.resources(StoragePolicy.class).inNamespace(namespace).withName(name).get());
    }

    @Override
    public List<StoragePolicy> inNamespace(String namespace) {
        return policies.getIndexer().byIndex(Cache.NAMESPACE_INDEX, namespace);
    }

    @Override
    public Optional<ConfigMap> agentConfig(String namespace, String policy) {
        String name = InjectionContract.configMapName(policy);
        var cached = configMaps.getStore().getByKey(Cache.namespaceKeyFunc(namespace, name));
        if (cached != null) {
            return Optional.of(cached);
        }
        return Optional.ofNullable(client.configMaps().inNamespace(namespace).withName(name).get());
    }

    @Override
    public void close() {
        policies.close();
        configMaps.close();
    }
}
