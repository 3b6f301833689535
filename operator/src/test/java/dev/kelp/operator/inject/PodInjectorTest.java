package dev.kelp.operator.inject;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.crds.v1alpha1.FallbackSpec;
import dev.kelp.crds.v1alpha1.MissingPolicyAction;
import dev.kelp.crds.v1alpha1.PvcFallback;
import dev.kelp.crds.v1alpha1.SeaweedfsSpec;
import dev.kelp.crds.v1alpha1.StoragePolicy;
import dev.kelp.crds.v1alpha1.StoragePolicySpec;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Every answer the webhook can give, over policies held in memory. */
class PodInjectorTest {

    private final List<StoragePolicy> policies = new ArrayList<>();
    private final List<ConfigMap> configs = new ArrayList<>();
    private final Policies lookup = new Policies() {
        @Override
        public Optional<StoragePolicy> policy(String namespace, String name) {
            return policies.stream().filter(p -> p.getMetadata().getName().equals(name)).findFirst();
        }

        @Override
        public List<StoragePolicy> inNamespace(String namespace) {
            return policies;
        }

        @Override
        public Optional<ConfigMap> agentConfig(String namespace, String policy) {
            return configs.stream().filter(c -> c.getMetadata().getName().equals("kelp-agent-" + policy)).findFirst();
        }
    };
    private final PodInjector injector = new PodInjector(lookup, AgentDefaults.withImage("agent:1"), MissingPolicyAction.REJECT);

    @Test
    void theAnnotationWinsOverAMatchingPodSelector() {
        rendered(policy("chosen", null));
        rendered(policy("selector", "web"));

        var decision = injector.decide(pod(true, "chosen", "web"), "ns");

        assertThat(decision).isInstanceOfSatisfying(InjectionDecision.Inject.class, i -> assertThat(i.policy()).isEqualTo("chosen"));
    }

    @Test
    void twoMatchingSelectorsAreRefusedWithBothNames() {
        rendered(policy("a", "web"));
        rendered(policy("b", "web"));

        var decision = injector.decide(pod(false, null, "web"), "ns");

        assertThat(decision).isInstanceOfSatisfying(InjectionDecision.Refuse.class,
            r -> assertThat(r.message()).contains("(a, b)", "kelp.dev/policy"));
    }

    @Test
    void aMissingPolicyFollowsTheOperatorDefault() {
        var lenient = new PodInjector(lookup, AgentDefaults.withImage("agent:1"), MissingPolicyAction.ADMIT);

        assertThat(injector.decide(pod(true, "gone", null), "ns")).isEqualTo(new InjectionDecision.Refuse("StoragePolicy \"gone\" not found in namespace \"ns\""));
        assertThat(lenient.decide(pod(true, "gone", null), "ns")).isInstanceOf(InjectionDecision.AdmitWithoutAgent.class);
    }

    @Test
    void aPodThatHasTheAgentAlreadyIsLeftAsItIs() {
        rendered(policy("p", null));
        Pod injected = new PodBuilder(pod(true, "p", null)).editSpec()
            .addNewInitContainer().withName("kelp-agent").withImage("agent:1").endInitContainer().endSpec().build();

        assertThat(injector.decide(injected, "ns")).isInstanceOf(InjectionDecision.Untouched.class);
    }

    @Test
    void aPodNobodySelectsIsLeftAsItIs() {
        rendered(policy("p", "web"));

        assertThat(injector.decide(pod(false, null, "db"), "ns")).isInstanceOf(InjectionDecision.Untouched.class);
    }

    @Test
    void aClaimPerPodBecomesAGenericEphemeralVolumeOfThatSizeAndClass() {
        var pvc = new PvcFallback();
        pvc.setSize(new Quantity("20Gi"));
        pvc.setStorageClass("fast");
        var fallback = new FallbackSpec();
        fallback.setPvc(pvc);

        var volume = AgentVolumes.fallback("p", fallback);

        var claim = volume.getEphemeral().getVolumeClaimTemplate().getSpec();
        assertThat(claim.getResources().getRequests()).containsEntry("storage", new Quantity("20Gi"));
        assertThat(claim.getStorageClassName()).isEqualTo("fast");
        assertThat(claim.getAccessModes()).containsExactly("ReadWriteOnce");
    }

    @Test
    void anExistingClaimIsMountedByName() {
        var pvc = new PvcFallback();
        pvc.setClaimName("shared");
        var fallback = new FallbackSpec();
        fallback.setPvc(pvc);

        assertThat(AgentVolumes.fallback("p", fallback).getPersistentVolumeClaim().getClaimName()).isEqualTo("shared");
        assertThat(AgentVolumes.fallback("p", null).getEmptyDir().getSizeLimit()).isEqualTo(new Quantity("1Gi"));
    }

    @Test
    void targetCredentialsSecretsAreMountedEachInADirectoryOfItsName() {
        policies.add(policy("p", null));
        configs.add(new ConfigMapBuilder().withNewMetadata().withName("kelp-agent-p")
            .addToAnnotations("kelp.dev/target-secrets", "offsite,archive").endMetadata().build());

        var decision = injector.decide(pod(true, "p", null), "ns");

        assertThat(decision).isInstanceOfSatisfying(InjectionDecision.Inject.class, i -> assertThat(i.patch().toString())
            .contains("\"mountPath\":\"/etc/kelp-targets\"", "\"name\":\"kelp-targets\"",
                "\"path\":\"archive/accessKey\"", "\"path\":\"offsite/secretKey\"", "\"optional\":true"));
        var volume = AgentVolumes.targets(List.of("archive", "offsite")).orElseThrow();
        assertThat(volume.getProjected().getSources()).extracting(s -> s.getSecret().getName()).containsExactly("archive", "offsite");
        assertThat(AgentVolumes.targets(List.of())).isEmpty();
    }

    @Test
    void withoutTargetSecretsThereIsNoTargetsVolume() {
        rendered(policy("p", null));

        var decision = injector.decide(pod(true, "p", null), "ns");

        assertThat(decision).isInstanceOfSatisfying(InjectionDecision.Inject.class,
            i -> assertThat(i.patch().toString()).doesNotContain("kelp-targets"));
    }

    @Test
    void theConfigHashIsTheReconcilersAnnotationOrTheSha256OfAgentYml() {
        var annotated = new ConfigMapBuilder().withNewMetadata().addToAnnotations("kelp.dev/config-hash", "abc").endMetadata().build();
        var bare = new ConfigMapBuilder().withNewMetadata().endMetadata().addToData("agent.yml", "").build();

        assertThat(PodInjector.configHash(annotated)).isEqualTo("abc");
        assertThat(PodInjector.configHash(bare)).isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    private void rendered(StoragePolicy policy) {
        policies.add(policy);
        configs.add(new ConfigMapBuilder().withNewMetadata().withName("kelp-agent-" + policy.getMetadata().getName()).endMetadata().build());
    }

    private static StoragePolicy policy(String name, String app) {
        var policy = new StoragePolicy();
        policy.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("ns").build());
        var spec = new StoragePolicySpec();
        var seaweedfs = new SeaweedfsSpec();
        seaweedfs.setCredentialsSecret("s3");
        spec.setSeaweedfs(seaweedfs);
        if (app != null) {
            spec.setPodSelector(new LabelSelectorBuilder().addToMatchLabels("app", app).build());
        }
        policy.setSpec(spec);
        return policy;
    }

    private static Pod pod(boolean annotated, String policy, String app) {
        var meta = new ObjectMetaBuilder().withName("pod");
        if (annotated) {
            meta.addToAnnotations("kelp.dev/policy", policy);
        }
        if (app != null) {
            meta.addToLabels("app", app);
        }
        return new PodBuilder().withMetadata(meta.build())
            .withNewSpec().addNewContainer().withName("app").withImage("busybox").endContainer().endSpec().build();
    }
}
