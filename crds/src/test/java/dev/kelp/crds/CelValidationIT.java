package dev.kelp.crds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kelp.crds.v1alpha1.BackupSchedule;
import dev.kelp.crds.v1alpha1.BlockDedupSpec;
import dev.kelp.crds.v1alpha1.DedupSpec;
import dev.kelp.crds.v1alpha1.MissingPolicyAction;
import dev.kelp.crds.v1alpha1.StoragePolicy;
import dev.kelp.testkit.TestCluster;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.Iterator;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The validation in the CRD schemas (OpenAPI constraints and CEL rules) on the proving
 * ground's real kube-apiserver: every fixture under invalid/ is refused with 422 and a
 * message that names the field and says what is wrong; every fixture under valid/ is stored.
 */
class CelValidationIT {

    private static final String NAMESPACE = "kelp-crds-validation";
    private static final KubernetesSerialization JSON = new KubernetesSerialization();
    private static KubernetesClient client;

    @BeforeAll
    static void installCrds() {
        client = TestCluster.client();
        for (var kind : PrintCrds.KINDS) {
            TestCluster.installCrd(client, GeneratedCrds.yaml(kind));
        }
        TestCluster.createNamespace(client, NAMESPACE);
    }

    @AfterAll
    static void close() {
        if (client != null) {
            client.close();
        }
    }

    static Stream<Fixture> invalidFixtures() {
        return Fixture.in("invalid").stream();
    }

    static Stream<Fixture> validFixtures() {
        return Fixture.in("valid").stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidFixtures")
    void theApiServerRejectsInvalidYamlNamingTheFieldAndTheMistake(Fixture fixture) {
        var resource = fixture.resource();

        var error = catchThrowableOfType(KubernetesClientException.class, () -> resources(resource).resource(resource).create());
        if (error == null) {
            resources(resource).withName(resource.getMetadata().getName()).delete();
        }

        assertThat(error).as("%s was accepted", fixture).isNotNull();
        assertThat(error.getCode()).as(error.getMessage()).isEqualTo(422);
        var causes = error.getStatus().getDetails().getCauses();
        for (var expected : fixture.expectations()) {
            assertThat(causes).as(error.getMessage()).anySatisfy(cause -> {
                assertThat(cause.getField()).isEqualTo(expected.field());
                assertThat(cause.getMessage()).contains(expected.message());
            });
        }
        assertThat(causes).extracting(StatusCause::getMessage).noneSatisfy(m -> assertThat(m).containsIgnoringCase("compil"));
        assertThat(resources(resource).withName(resource.getMetadata().getName()).get()).isNull();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validFixtures")
    void theApiServerStoresValidYamlAsWritten(Fixture fixture) {
        var resource = fixture.resource();
        var named = resources(resource).withName(resource.getMetadata().getName());
        named.delete();

        resources(resource).resource(resource).create();

        try {
            JsonNode written = JSON.convertValue(resource.getAdditionalProperties().get("spec"), JsonNode.class);
            JsonNode stored = JSON.convertValue(named.get().getAdditionalProperties().get("spec"), JsonNode.class);
            assertContains(stored, written, "spec");
        } finally {
            named.delete();
        }
    }

    @Test
    void theApiServerFillsTheDefaultsAMinimalPolicyLeavesOut() {
        var policies = client.resources(StoragePolicy.class).inNamespace(NAMESPACE);
        var minimal = JSON.unmarshal(Fixture.in("valid").stream()
            .filter(f -> f.name().endsWith("storagepolicy-minimal.yaml")).findFirst().orElseThrow().yaml(), StoragePolicy.class);
        minimal.getMetadata().setName("defaults");
        policies.withName("defaults").delete();

        var spec = policies.resource(minimal).create().getSpec();

        policies.withName("defaults").delete();
        assertThat(spec.getFallback().getEmptyDir().getSizeLimit()).isEqualTo(new Quantity("1Gi"));
        assertThat(spec.getFallback().getPvc()).isNull();
        assertThat(spec.getMissingPolicyAction()).isEqualTo(MissingPolicyAction.REJECT);
        assertThat(spec.getDedup()).as("whole-object dedup is always on and needs no setting").isNull();
        assertThat(spec.getSeaweedfs().getRegion()).isEqualTo("us-east-1");
    }

    @Test
    void blockDedupNamedWithoutSettingsIsOffWithTheAgentsSizes() {
        var policies = client.resources(StoragePolicy.class).inNamespace(NAMESPACE);
        var minimal = JSON.unmarshal(Fixture.in("valid").stream()
            .filter(f -> f.name().endsWith("storagepolicy-minimal.yaml")).findFirst().orElseThrow().yaml(), StoragePolicy.class);
        minimal.getMetadata().setName("block-dedup-defaults");
        var dedup = new DedupSpec();
        dedup.setBlocks(new BlockDedupSpec());
        minimal.getSpec().setDedup(dedup);
        policies.withName("block-dedup-defaults").delete();

        var blocks = policies.resource(minimal).create().getSpec().getDedup().getBlocks();

        policies.withName("block-dedup-defaults").delete();
        assertThat(blocks.getEnabled()).isFalse();
        assertThat(blocks.getMinObjectSize()).isEqualTo(new Quantity("8Mi"));
        assertThat(blocks.getAverageChunkSize()).isEqualTo(new Quantity("1Mi"));
    }

    @Test
    void aBackupScheduleVerifiesAndRunsUnlessToldOtherwise() {
        var schedules = client.resources(BackupSchedule.class).inNamespace(NAMESPACE);
        var cronForms = JSON.unmarshal(Fixture.in("valid").stream()
            .filter(f -> f.name().endsWith("backupschedule-cron-forms.yaml")).findFirst().orElseThrow().yaml(), BackupSchedule.class);
        cronForms.getMetadata().setName("defaults");
        schedules.withName("defaults").delete();

        var spec = schedules.resource(cronForms).create().getSpec();

        schedules.withName("defaults").delete();
        assertThat(spec.getVerify()).isTrue();
        assertThat(spec.getSuspend()).isFalse();
    }

    private static NonNamespaceOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>> resources(
            GenericKubernetesResource resource) {
        return client.genericKubernetesResources(resource.getApiVersion(), resource.getKind()).inNamespace(NAMESPACE);
    }

    /** Every value written is stored unchanged; the API server may add defaults beside them. */
    private static void assertContains(JsonNode stored, JsonNode written, String path) {
        if (written.isObject()) {
            assertThat(stored.isObject()).as(path).isTrue();
            for (Iterator<Map.Entry<String, JsonNode>> fields = written.fields(); fields.hasNext(); ) {
                var field = fields.next();
                assertThat(stored.has(field.getKey())).as("%s.%s was dropped (pruned by the schema?)", path, field.getKey()).isTrue();
                assertContains(stored.get(field.getKey()), field.getValue(), path + "." + field.getKey());
            }
        } else {
            assertThat(stored).as(path).isEqualTo(written);
        }
    }
}
