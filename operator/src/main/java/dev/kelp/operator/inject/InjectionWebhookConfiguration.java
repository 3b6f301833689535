package dev.kelp.operator.inject;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MatchConditionBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfig;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The MutatingWebhookConfiguration that routes pod creation to the operator, built in one
 * place so the ITs and the Helm chart register the same thing. Two webhooks, split by a CEL
 * match condition on the annotation:
 *
 * <ul>
 *   <li>{@value #ANNOTATED}: pods with {@code kelp.dev/policy}. They asked for the agent by
 *       name, so failurePolicy Fail: such a pod is never admitted without it.</li>
 *   <li>{@value #SELECTED}: every other pod, for policies' podSelectors. Most of these pods
 *       are not Kelp's, so failurePolicy Ignore: an operator outage must not stop pod
 *       creation in the whole cluster. A selected pod admitted meanwhile is found by
 *       {@link UninjectedPodDetector}.</li>
 * </ul>
 *
 * Both skip the operator's own namespace (its pods must start for the webhook to exist) and
 * kube-system, answer within {@value #TIMEOUT_SECONDS} s, are re-invoked if a later webhook
 * changes the pod (IfNeeded: idempotent, so a second call is a no-op), and declare
 * sideEffects NoneOnDryRun (they may record an Event, never on a dry run).
 */
public final class InjectionWebhookConfiguration {

    public static final String ANNOTATED = "annotated.inject.kelp.dev";
    public static final String SELECTED = "selected.inject.kelp.dev";
    public static final int TIMEOUT_SECONDS = 5;
    static final String HAS_ANNOTATION = "has(object.metadata.annotations) && '" + InjectionContract.POLICY_ANNOTATION + "' in object.metadata.annotations";

    private InjectionWebhookConfiguration() {
    }

    /** Called through the operator's Service, as in a cluster; the caBundle may be filled in later. */
    public static MutatingWebhookConfiguration forService(String name, String serviceNamespace, String service, int port,
                                                          String caPem, List<String> excludedNamespaces) {
        var client = new WebhookClientConfigBuilder()
            .withNewService().withNamespace(serviceNamespace).withName(service).withPort(port).withPath(PodMutationWebhook.PATH).endService()
            .withCaBundle(caBundle(caPem))
            .build();
        return build(name, client, excludedNamespaces);
    }

    /** Called at a URL, e.g. {@code https://127.0.0.1:<port>} when the operator runs outside the cluster (tests). */
    public static MutatingWebhookConfiguration forUrl(String name, String baseUrl, String caPem, List<String> excludedNamespaces) {
        var client = new WebhookClientConfigBuilder().withUrl(baseUrl + PodMutationWebhook.PATH).withCaBundle(caBundle(caPem)).build();
        return build(name, client, excludedNamespaces);
    }

    /** The namespaces never injected into: the operator's own and kube-system. */
    public static List<String> excluded(String operatorNamespace) {
        return operatorNamespace.equals("kube-system") ? List.of("kube-system") : List.of(operatorNamespace, "kube-system");
    }

    /** Creates or replaces it (server-side apply, so a rerun is a no-op). */
    public static void apply(KubernetesClient client, MutatingWebhookConfiguration configuration) {
        client.admissionRegistration().v1().mutatingWebhookConfigurations().resource(configuration).forceConflicts().serverSideApply();
    }

    private static MutatingWebhookConfiguration build(String name, WebhookClientConfig client, List<String> excludedNamespaces) {
        var webhooks = new ArrayList<MutatingWebhook>();
        webhooks.add(webhook(ANNOTATED, client, excludedNamespaces, HAS_ANNOTATION, "Fail"));
        webhooks.add(webhook(SELECTED, client, excludedNamespaces, "!(" + HAS_ANNOTATION + ")", "Ignore"));
        return new MutatingWebhookConfigurationBuilder()
            .withNewMetadata().withName(name)
                .addToLabels(InjectionContract.MANAGED_BY_LABEL, InjectionContract.MANAGED_BY).endMetadata()
            .withWebhooks(webhooks)
            .build();
    }

    private static MutatingWebhook webhook(String name, WebhookClientConfig client, List<String> excludedNamespaces, String condition, String failurePolicy) {
        return new MutatingWebhookBuilder()
            .withName(name)
            .withClientConfig(client)
            .withAdmissionReviewVersions("v1")
            .addNewRule().withOperations("CREATE").withApiGroups("").withApiVersions("v1").withResources("pods").withScope("Namespaced").endRule()
            .withNamespaceSelector(notIn(excludedNamespaces))
            .withMatchConditions(new MatchConditionBuilder().withName("kelp-policy-annotation").withExpression(condition).build())
            .withMatchPolicy("Equivalent")
            .withFailurePolicy(failurePolicy)
            .withSideEffects("NoneOnDryRun")
            .withTimeoutSeconds(TIMEOUT_SECONDS)
            .withReinvocationPolicy("IfNeeded")
            .build();
    }

    private static LabelSelector notIn(List<String> namespaces) {
        return new LabelSelectorBuilder().addNewMatchExpression()
            .withKey("kubernetes.io/metadata.name").withOperator("NotIn").withValues(namespaces)
            .endMatchExpression().build();
    }

    private static String caBundle(String caPem) {
        return caPem == null ? null : Base64.getEncoder().encodeToString(caPem.getBytes(StandardCharsets.UTF_8));
    }
}
