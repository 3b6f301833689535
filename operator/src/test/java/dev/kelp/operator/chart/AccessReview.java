package dev.kelp.operator.chart;

import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/** Asks the API server's authorizer what a ServiceAccount may do (SubjectAccessReview), as RBAC is installed. */
final class AccessReview {

    private final KubernetesClient admin;
    private final String namespace;
    private final String user;

    AccessReview(KubernetesClient admin, String namespace, String serviceAccount) {
        this.admin = admin;
        this.namespace = namespace;
        this.user = "system:serviceaccount:" + namespace + ":" + serviceAccount;
    }

    /**
     * @param resource  e.g. {@code secrets} or {@code storagepolicies/status}
     * @param namespace null: cluster-wide (or a cluster-scoped kind)
     * @param name      null: any (as for list, watch, create)
     */
    boolean allowed(String verb, String group, String resource, String namespace, String name) {
        String[] parts = resource.split("/", 2);
        var review = new SubjectAccessReviewBuilder().withNewSpec()
            .withUser(user).withGroups("system:serviceaccounts", "system:serviceaccounts:" + this.namespace, "system:authenticated")
            .withNewResourceAttributes().withVerb(verb).withGroup(group).withResource(parts[0])
                .withSubresource(parts.length > 1 ? parts[1] : null).withNamespace(namespace).withName(name).endResourceAttributes()
            .endSpec().build();
        return admin.authorization().v1().subjectAccessReview().create(review).getStatus().getAllowed();
    }
}
