package dev.kelp.bench.operator;

import dev.kelp.crds.PrintCrds;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * Installs Kelp's CRDs and waits until each is Established. Polled rather than through
 * TestCluster.installCrd, whose wait trips over a just-created CRD that has a status without
 * conditions yet (a fresh API server answers that way).
 */
final class Crds {

    private Crds() {
    }

    static void install(KubernetesClient client) throws InterruptedException {
        for (String resource : PrintCrds.RESOURCES) {
            var crd = Serialization.unmarshal(PrintCrds.read(resource), CustomResourceDefinition.class);
            client.apiextensions().v1().customResourceDefinitions().resource(crd).forceConflicts().serverSideApply();
            String name = crd.getMetadata().getName();
            for (int i = 0; !established(client, name); i++) {
                if (i > 300) {
                    throw new IllegalStateException("CRD " + name + " not Established after 30 s");
                }
                Thread.sleep(100);
            }
        }
    }

    private static boolean established(KubernetesClient client, String name) {
        var crd = client.apiextensions().v1().customResourceDefinitions().withName(name).get();
        return crd != null && crd.getStatus() != null && crd.getStatus().getConditions() != null
            && crd.getStatus().getConditions().stream().anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
    }
}
