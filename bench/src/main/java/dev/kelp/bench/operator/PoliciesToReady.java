package dev.kelp.bench.operator;

import dev.kelp.crds.v1alpha1.EmptyDirFallback;
import dev.kelp.crds.v1alpha1.FallbackSpec;
import dev.kelp.crds.v1alpha1.MetadataSpec;
import dev.kelp.crds.v1alpha1.QuotaSpec;
import dev.kelp.crds.v1alpha1.SeaweedfsSpec;
import dev.kelp.crds.v1alpha1.StoragePolicy;
import dev.kelp.crds.v1alpha1.StoragePolicySpec;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/**
 * Phase (a): the Secrets of N policies first (not timed), then N StoragePolicies created as fast
 * as a pool of client threads can, timed from the first create until every policy says
 * Ready=True for its current generation and every rendered ConfigMap exists. Both are seen
 * through watches (informers), never by polling each object.
 */
final class PoliciesToReady {

    static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    private static final int CLIENT_THREADS = 16;

    /** What phase (a) measured. */
    record Result(int policies, Duration total, Duration applying, Percentiles readyAfterCreate, Percentiles firstStatusAfterCreate,
                  int configMaps) {
    }

    private final KubernetesClient client;
    private final String namespace;
    private final int count;
    private final Map<String, Long> createdAt = new ConcurrentHashMap<>();
    private final Map<String, Long> readyAt = new ConcurrentHashMap<>();
    private final Map<String, Long> firstStatusAt = new ConcurrentHashMap<>();
    private final Map<String, Long> renderedAt = new ConcurrentHashMap<>();
    private final CountDownLatch allReady;
    private final CountDownLatch allRendered;

    PoliciesToReady(KubernetesClient client, String namespace, int count) {
        this.client = client;
        this.namespace = namespace;
        this.count = count;
        this.allReady = new CountDownLatch(count);
        this.allRendered = new CountDownLatch(count);
    }

    static String policyName(int i) {
        return String.format("p-%04d", i);
    }

    Result run(Duration timeout) throws Exception {
        parallel(i -> {
            String p = policyName(i);
            client.secrets().inNamespace(namespace).resource(new SecretBuilder().withNewMetadata().withName(p + "-s3").endMetadata()
                .addToStringData("accessKey", "bench-access-" + i).addToStringData("secretKey", "bench-secret-" + i).build()).create();
            client.secrets().inNamespace(namespace).resource(new SecretBuilder().withNewMetadata().withName(p + "-pg").endMetadata()
                .addToStringData("url", "jdbc:postgresql://postgres.db:5432/kelp_" + i)
                .addToStringData("username", "kelp_" + i).addToStringData("password", "pw-" + i).build()).create();
        });
        SharedIndexInformer<StoragePolicy> policies = client.resources(StoragePolicy.class).inNamespace(namespace).inform(new Watcher<>(this::seen));
        SharedIndexInformer<ConfigMap> configMaps = client.configMaps().inNamespace(namespace).withLabel(MANAGED_BY, "kelp-operator")
            .inform(new Watcher<>(this::rendered));
        try {
            long start = System.nanoTime();
            parallel(i -> {
                String name = policyName(i);
                createdAt.put(name, System.nanoTime());
                client.resources(StoragePolicy.class).inNamespace(namespace).resource(policy(name)).create();
            });
            long applied = System.nanoTime();
            boolean ready = allReady.await(timeout.toNanos(), TimeUnit.NANOSECONDS)
                && allRendered.await(Math.max(1, timeout.toNanos() - (System.nanoTime() - start)), TimeUnit.NANOSECONDS);
            long end = Math.max(readyAt.values().stream().mapToLong(Long::longValue).max().orElse(start),
                renderedAt.values().stream().mapToLong(Long::longValue).max().orElse(start));
            if (!ready) {
                throw new IllegalStateException(readyAt.size() + " of " + count + " policies Ready and " + renderedAt.size()
                    + " ConfigMaps rendered after " + timeout);
            }
            long[] latencies = readyAt.entrySet().stream().mapToLong(e -> e.getValue() - createdAt.get(e.getKey())).toArray();
            long[] firstStatus = firstStatusAt.entrySet().stream().mapToLong(e -> e.getValue() - createdAt.get(e.getKey())).toArray();
            return new Result(count, Duration.ofNanos(end - start), Duration.ofNanos(applied - start), Percentiles.ofNanos(latencies),
                Percentiles.ofNanos(firstStatus), renderedAt.size());
        } finally {
            policies.close();
            configMaps.close();
        }
    }

    /** A realistic policy: two buckets, SeaweedFS with its credentials, PostgreSQL metadata, a fallback volume, a quota. */
    private StoragePolicy policy(String name) {
        var seaweedfs = new SeaweedfsSpec();
        seaweedfs.setEndpoint("http://seaweedfs-s3.storage:8333");
        seaweedfs.setCredentialsSecret(name + "-s3");
        var metadata = new MetadataSpec();
        metadata.setConnectionSecret(name + "-pg");
        var emptyDir = new EmptyDirFallback();
        emptyDir.setSizeLimit(new Quantity("2Gi"));
        var fallback = new FallbackSpec();
        fallback.setEmptyDir(emptyDir);
        fallback.setMaxBytes(new Quantity("1Gi"));
        var quota = new QuotaSpec();
        quota.setMaxBytes(new Quantity("100Gi"));
        var spec = new StoragePolicySpec();
        spec.setBuckets(List.of(name + "-uploads", name + "-thumbnails"));
        spec.setSeaweedfs(seaweedfs);
        spec.setMetadata(metadata);
        spec.setFallback(fallback);
        spec.setQuota(quota);
        var policy = new StoragePolicy();
        policy.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
        policy.setSpec(spec);
        return policy;
    }

    private void seen(StoragePolicy p) {
        var status = p.getStatus();
        if (status != null && status.getObservedGeneration() != null) {
            firstStatusAt.putIfAbsent(p.getMetadata().getName(), System.nanoTime());
        }
        if (status == null || status.getObservedGeneration() == null
            || !status.getObservedGeneration().equals(p.getMetadata().getGeneration())) {
            return;
        }
        boolean ready = status.getConditions().stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
        if (ready && readyAt.putIfAbsent(p.getMetadata().getName(), System.nanoTime()) == null) {
            allReady.countDown();
        }
    }

    private void rendered(ConfigMap c) {
        if (renderedAt.putIfAbsent(c.getMetadata().getName(), System.nanoTime()) == null) {
            allRendered.countDown();
        }
    }

    private void parallel(IntConsumer task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(CLIENT_THREADS);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int n = i;
                futures.add(pool.submit(() -> task.accept(n)));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
    }

    /** Hands adds and updates to one callback; deletes do not happen here. */
    private record Watcher<T>(java.util.function.Consumer<T> onSeen) implements ResourceEventHandler<T> {
        @Override
        public void onAdd(T obj) {
            onSeen.accept(obj);
        }

        @Override
        public void onUpdate(T oldObj, T newObj) {
            onSeen.accept(newObj);
        }

        @Override
        public void onDelete(T obj, boolean deletedFinalStateUnknown) {
        }
    }
}
