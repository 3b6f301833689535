package dev.kelp.crds;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.crds.v1alpha1.StoragePolicy;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

class PrintCrdsTest {

    @Test
    void generatedStoragePolicyCrdIsNamespacedWithStatusAndShortNames() {
        var crd = Serialization.unmarshal(PrintCrds.read(PrintCrds.RESOURCES.getFirst()), CustomResourceDefinition.class);

        assertThat(crd.getMetadata().getName()).isEqualTo(StoragePolicy.CRD_NAME);
        assertThat(crd.getSpec().getScope()).isEqualTo("Namespaced");
        assertThat(crd.getSpec().getNames().getShortNames()).contains("sp");
        var version = crd.getSpec().getVersions().getFirst();
        assertThat(version.getName()).isEqualTo(StoragePolicy.VERSION);
        assertThat(version.getSubresources().getStatus()).isNotNull();
    }

    @Test
    void everySpecFieldCarriesADescriptionForKubectlExplain() {
        var crd = Serialization.unmarshal(PrintCrds.read(PrintCrds.RESOURCES.getFirst()), CustomResourceDefinition.class);
        var spec = crd.getSpec().getVersions().getFirst().getSchema().getOpenAPIV3Schema().getProperties().get("spec");

        assertThat(spec.getRequired()).containsExactlyInAnyOrder("endpoint", "buckets", "credentialsSecret");
        spec.getProperties().forEach((name, field) ->
            assertThat(field.getDescription()).as("description of spec.%s", name).isNotBlank());
    }

    @Test
    void allCrdsYamlJoinsEveryDocument() {
        assertThat(PrintCrds.allCrdsYaml()).contains("name: \"" + StoragePolicy.CRD_NAME + "\"");
    }
}
