package dev.kelp.operator;

import dev.kelp.operator.policy.StoragePolicyReconciler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.Operator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts the operator against the cluster in the ambient configuration (in-cluster or KUBECONFIG). */
public final class KelpOperator {

    private static final Logger LOG = LoggerFactory.getLogger(KelpOperator.class);

    private KelpOperator() {
    }

    public static void main(String[] args) {
        KubernetesClient client = new KubernetesClientBuilder().build();
        Operator operator = create(client);
        Runtime.getRuntime().addShutdownHook(new Thread(operator::stop, "kelp-operator-shutdown"));
        operator.start();
        LOG.info("Kelp operator started against {}", client.getMasterUrl());
    }

    /** The operator with every Kelp reconciler registered, not yet started. */
    public static Operator create(KubernetesClient client) {
        Operator operator = new Operator(o -> o.withKubernetesClient(client).withCloseClientOnStop(false));
        operator.register(new StoragePolicyReconciler());
        return operator;
    }
}
