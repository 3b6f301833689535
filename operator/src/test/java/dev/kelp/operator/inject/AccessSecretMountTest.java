package dev.kelp.operator.inject;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.crds.v1alpha1.AccessSpec;
import dev.kelp.crds.v1alpha1.SeaweedfsSpec;
import dev.kelp.crds.v1alpha1.StoragePolicy;
import dev.kelp.crds.v1alpha1.StoragePolicySpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import org.junit.jupiter.api.Test;

/** The principals Secret reaches the agent as mounted files, never as env or ConfigMap data. */
class AccessSecretMountTest {

    @Test
    void thePrincipalsSecretIsMountedReadOnlyWhereTheRenderedConfigPointsAndNowhereElse() {
        var policy = policy("owners");
        var container = AgentSidecar.container(policy, AgentDefaults.withImage("agent:1"));

        assertThat(AgentVolumes.of(policy)).filteredOn(v -> v.getName().equals(InjectionContract.ACCESS_VOLUME)).singleElement()
            .extracting(Volume::getSecret).satisfies(s -> assertThat(s.getSecretName()).isEqualTo("owners"));
        assertThat(container.getVolumeMounts()).filteredOn(m -> m.getName().equals(InjectionContract.ACCESS_VOLUME)).singleElement()
            .satisfies(m -> {
                assertThat(m.getMountPath()).isEqualTo("/etc/kelp-access");
                assertThat(m.getReadOnly()).isTrue();
            });
        assertThat(container.getEnv()).noneMatch(e -> e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null
            && "owners".equals(e.getValueFrom().getSecretKeyRef().getName()));
    }

    @Test
    void withoutAPrincipalsSecretNothingIsMounted() {
        var policy = policy(null);
        assertThat(AgentVolumes.of(policy)).noneMatch(v -> v.getName().equals(InjectionContract.ACCESS_VOLUME));
        assertThat(AgentSidecar.container(policy, AgentDefaults.withImage("agent:1")).getVolumeMounts())
            .noneMatch(m -> m.getName().equals(InjectionContract.ACCESS_VOLUME));
    }

    private static StoragePolicy policy(String principalsSecret) {
        var policy = new StoragePolicy();
        policy.setMetadata(new ObjectMetaBuilder().withName("shop").withNamespace("ns").build());
        var spec = new StoragePolicySpec();
        var seaweedfs = new SeaweedfsSpec();
        seaweedfs.setCredentialsSecret("s3");
        spec.setSeaweedfs(seaweedfs);
        var access = new AccessSpec();
        access.setPrincipalsSecret(principalsSecret);
        spec.setAccess(access);
        policy.setSpec(spec);
        return policy;
    }
}
