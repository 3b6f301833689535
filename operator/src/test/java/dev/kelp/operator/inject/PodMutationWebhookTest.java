package dev.kelp.operator.inject;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.crds.v1alpha1.MissingPolicyAction;
import dev.kelp.crds.v1alpha1.StoragePolicy;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GroupVersionKind;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionRequest;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionRequestBuilder;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The AdmissionReview answers, for each kind of decision and for a failure inside. */
class PodMutationWebhookTest {

    private static final Policies NONE = new Policies() {
        @Override
        public Optional<StoragePolicy> policy(String namespace, String name) {
            return Optional.empty();
        }

        @Override
        public List<StoragePolicy> inNamespace(String namespace) {
            return List.of();
        }

        @Override
        public Optional<ConfigMap> agentConfig(String namespace, String policy) {
            return Optional.empty();
        }
    };

    private static final Policies BROKEN = new Policies() {
        @Override
        public Optional<StoragePolicy> policy(String namespace, String name) {
            throw new IllegalStateException("cache broken");
        }

        @Override
        public List<StoragePolicy> inNamespace(String namespace) {
            throw new IllegalStateException("cache broken");
        }

        @Override
        public Optional<ConfigMap> agentConfig(String namespace, String policy) {
            throw new IllegalStateException("cache broken");
        }
    };

    @Test
    void aRefusalIsA403WithTheReasonForTheSameRequestUid() {
        var response = webhook(NONE).respond(request("CREATE", true));

        assertThat(response.getUid()).isEqualTo("uid-1");
        assertThat(response.getAllowed()).isFalse();
        assertThat(response.getStatus().getCode()).isEqualTo(403);
        assertThat(response.getStatus().getMessage()).isEqualTo("StoragePolicy \"p\" not found in namespace \"ns\"");
        assertThat(response.getPatch()).isNull();
    }

    @Test
    void aFailureInsideRefusesAnAnnotatedPodButLetsAnyOtherPodThrough() {
        var annotated = webhook(BROKEN).respond(request("CREATE", true));
        var other = webhook(BROKEN).respond(request("CREATE", false));

        assertThat(annotated.getAllowed()).isFalse();
        assertThat(annotated.getStatus().getMessage()).contains("cache broken");
        assertThat(other.getAllowed()).isTrue();
        assertThat(other.getWarnings()).singleElement().asString().contains("cache broken");
        assertThat(other.getPatch()).isNull();
    }

    @Test
    void anythingButPodCreationPassesUntouched() {
        var response = webhook(BROKEN).respond(request("UPDATE", true));

        assertThat(response.getAllowed()).isTrue();
        assertThat(response.getPatch()).isNull();
    }

    private static PodMutationWebhook webhook(Policies policies) {
        return new PodMutationWebhook(new PodInjector(policies, AgentDefaults.withImage("agent:1"), MissingPolicyAction.REJECT), null);
    }

    private static AdmissionRequest request(String operation, boolean annotated) {
        var pod = new PodBuilder().withNewMetadata().withName("app-0").endMetadata()
            .withNewSpec().addNewContainer().withName("app").withImage("busybox").endContainer().endSpec();
        if (annotated) {
            pod.editMetadata().addToAnnotations("kelp.dev/policy", "p").endMetadata();
        }
        return new AdmissionRequestBuilder().withUid("uid-1").withNamespace("ns").withOperation(operation)
            .withKind(new GroupVersionKind("", "Pod", "v1")).withObject(pod.build()).build();
    }
}
