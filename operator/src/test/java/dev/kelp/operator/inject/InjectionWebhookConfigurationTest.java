package dev.kelp.operator.inject;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The shape the Helm chart must render too. */
class InjectionWebhookConfigurationTest {

    @Test
    void annotatedPodsFailClosedAndAllOtherPodsFailOpen() {
        var configuration = InjectionWebhookConfiguration.forService("kelp-operator", "kelp-system", "kelp-operator", 443, "CA",
            InjectionWebhookConfiguration.excluded("kelp-system"));

        assertThat(configuration.getWebhooks()).extracting(MutatingWebhook::getName, MutatingWebhook::getFailurePolicy)
            .containsExactly(tuple("annotated.inject.kelp.dev", "Fail"),
                tuple("selected.inject.kelp.dev", "Ignore"));
        assertThat(configuration.getWebhooks().get(0).getMatchConditions().getFirst().getExpression())
            .isEqualTo("has(object.metadata.annotations) && 'kelp.dev/policy' in object.metadata.annotations");
        assertThat(configuration.getWebhooks().get(1).getMatchConditions().getFirst().getExpression())
            .isEqualTo("!(has(object.metadata.annotations) && 'kelp.dev/policy' in object.metadata.annotations)");
    }

    @Test
    void bothWebhooksTakePodCreationOutsideTheOperatorAndKubeSystemThroughTheService() {
        var configuration = InjectionWebhookConfiguration.forService("kelp-operator", "kelp-system", "kelp-operator", 443, "CA",
            InjectionWebhookConfiguration.excluded("kelp-system"));

        assertThat(configuration.getWebhooks()).allSatisfy(w -> {
            assertThat(w.getRules()).singleElement().satisfies(r -> {
                assertThat(r.getOperations()).containsExactly("CREATE");
                assertThat(r.getResources()).containsExactly("pods");
            });
            assertThat(w.getNamespaceSelector().getMatchExpressions()).singleElement().satisfies(e -> {
                assertThat(e.getKey()).isEqualTo("kubernetes.io/metadata.name");
                assertThat(e.getOperator()).isEqualTo("NotIn");
                assertThat(e.getValues()).containsExactly("kelp-system", "kube-system");
            });
            assertThat(w.getSideEffects()).isEqualTo("NoneOnDryRun");
            assertThat(w.getTimeoutSeconds()).isEqualTo(5);
            assertThat(w.getReinvocationPolicy()).isEqualTo("IfNeeded");
            assertThat(w.getAdmissionReviewVersions()).containsExactly("v1");
            assertThat(w.getClientConfig().getService().getPath()).isEqualTo("/mutate-pods");
            assertThat(w.getClientConfig().getService().getPort()).isEqualTo(443);
            assertThat(new String(Base64.getDecoder().decode(w.getClientConfig().getCaBundle()), StandardCharsets.UTF_8)).isEqualTo("CA");
        });
    }

    @Test
    void aUrlConfigurationCallsThePathUnderTheBaseUrl() {
        var configuration = InjectionWebhookConfiguration.forUrl("kelp-it", "https://127.0.0.1:9443", null, List.of("ops"));

        assertThat(configuration.getWebhooks()).allSatisfy(w -> {
            assertThat(w.getClientConfig().getUrl()).isEqualTo("https://127.0.0.1:9443/mutate-pods");
            assertThat(w.getClientConfig().getCaBundle()).isNull();
        });
        assertThat(InjectionWebhookConfiguration.excluded("kube-system")).containsExactly("kube-system");
    }
}
