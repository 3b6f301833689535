package dev.kelp.bench.operator;

import dev.kelp.crds.v1alpha1.StoragePolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;

/**
 * What a run leaves in the API server, also after an interrupted run: the webhook
 * configuration (first: it would refuse annotated pods once the operator is gone), pods,
 * policies (their finalizers dropped, as no operator runs to drop them), ConfigMaps, Secrets,
 * Events, and the operator's Lease and TLS Secret.
 */
final class Leftovers {

    private final KubernetesClient client;
    private final String namespace;
    private final String operatorNamespace;
    private final String webhookConfiguration;

    Leftovers(KubernetesClient client, String namespace, String operatorNamespace, String webhookConfiguration) {
        this.client = client;
        this.namespace = namespace;
        this.operatorNamespace = operatorNamespace;
        this.webhookConfiguration = webhookConfiguration;
    }

    void remove() throws InterruptedException {
        client.admissionRegistration().v1().mutatingWebhookConfigurations().withName(webhookConfiguration).delete();
        client.pods().inNamespace(namespace).delete();
        var policies = client.resources(StoragePolicy.class).inNamespace(namespace);
        for (var p : policies.list().getItems()) {
            if (p.getMetadata().getFinalizers() != null && !p.getMetadata().getFinalizers().isEmpty()) {
                policies.withName(p.getMetadata().getName())
                    .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"finalizers\":null}}");
            }
        }
        policies.delete();
        client.configMaps().inNamespace(namespace).withLabel(PoliciesToReady.MANAGED_BY, "kelp-operator").delete();
        client.secrets().inNamespace(namespace).delete();
        client.v1().events().inNamespace(namespace).delete();
        client.leases().inNamespace(operatorNamespace).withName("kelp-operator").delete();
        client.secrets().inNamespace(operatorNamespace).delete();
        for (int i = 0; i < 120 && !(policies.list().getItems().isEmpty() && client.pods().inNamespace(namespace).list().getItems().isEmpty()); i++) {
            Thread.sleep(500);
        }
    }
}
