package dev.kelp.crds;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.crds.v1alpha1.BackupSchedule;
import dev.kelp.crds.v1alpha1.StoragePolicy;
import dev.kelp.crds.v1alpha1.TierRule;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.client.CustomResource;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** What kubectl shows of the generated CRDs: explain text, get columns, short names, and what must be set. */
class CrdSchemaTest {

    static Stream<Class<? extends CustomResource<?, ?>>> kinds() {
        return PrintCrds.KINDS.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void everyFieldAtEveryDepthHasADescriptionForKubectlExplain(Class<? extends CustomResource<?, ?>> kind) {
        var fields = GeneratedCrds.fields(kind);
        var undescribed = fields.stream()
            .filter(f -> f.schema().getDescription() == null || f.schema().getDescription().isBlank())
            .map(GeneratedCrds.Field::path)
            .toList();

        assertThat(fields).extracting(GeneratedCrds.Field::path).contains("spec", "status", "status.conditions[].reason");
        assertThat(undescribed).as("fields without @JsonPropertyDescription").isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void isNamespacedWithAStatusSubresource(Class<? extends CustomResource<?, ?>> kind) {
        var crd = GeneratedCrds.crd(kind);

        assertThat(crd.getSpec().getScope()).isEqualTo("Namespaced");
        assertThat(crd.getSpec().getGroup()).isEqualTo("kelp.dev");
        assertThat(GeneratedCrds.version(kind).getName()).isEqualTo("v1alpha1");
        assertThat(GeneratedCrds.version(kind).getSubresources().getStatus()).isNotNull();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void conditionsAreAListKeyedByTypeSoServerSideApplyMergesThem(Class<? extends CustomResource<?, ?>> kind) {
        var conditions = GeneratedCrds.version(kind).getSchema().getOpenAPIV3Schema()
            .getProperties().get("status").getProperties().get("conditions");

        assertThat(conditions.getXKubernetesListType()).isEqualTo("map");
        assertThat(conditions.getXKubernetesListMapKeys()).containsExactly("type");
        assertThat(conditions.getItems().getSchema().getRequired()).contains("type");
    }

    @Test
    void shortNamesAreTheTwoLetterOnesPlusUnambiguousLongerOnes() {
        assertThat(GeneratedCrds.crd(StoragePolicy.class).getSpec().getNames().getShortNames()).containsExactly("sp", "kelpsp");
        assertThat(GeneratedCrds.crd(TierRule.class).getSpec().getNames().getShortNames()).containsExactly("tr", "kelptr");
        assertThat(GeneratedCrds.crd(BackupSchedule.class).getSpec().getNames().getShortNames()).containsExactly("bs", "kelpbs");
    }

    @Test
    void storagePolicyColumnsShowModeAgentsAndPendingBeforeAge() {
        assertThat(columns(StoragePolicy.class, false)).containsExactly(
            "Mode=.status.mode", "Agents=.status.agentsDisplay", "Pending=.status.pending.objects", "Age=.metadata.creationTimestamp");
        assertThat(columns(StoragePolicy.class, true)).containsExactly("Pending Bytes=.status.pending.bytes");
    }

    @Test
    void tierRuleColumnsShowPolicyLastRunAndMovedBeforeAge() {
        assertThat(columns(TierRule.class, false)).containsExactly(
            "Policy=.spec.policyRef.name", "Last Run=.status.lastRun", "Moved=.status.objectsMoved", "Age=.metadata.creationTimestamp");
        assertThat(columns(TierRule.class, true)).containsExactly("Cold After=.spec.coldAfter");
    }

    @Test
    void backupScheduleColumnsShowScheduleLastBackupAndPhaseBeforeAge() {
        assertThat(columns(BackupSchedule.class, false)).containsExactly(
            "Schedule=.spec.schedule", "Last Backup=.status.lastBackupTime", "Phase=.status.phase", "Age=.metadata.creationTimestamp");
        assertThat(columns(BackupSchedule.class, true)).containsExactly("Suspend=.spec.suspend", "Next Run=.status.nextRun");
    }

    @Test
    void timeColumnsAreDatesSoKubectlShowsAnAge() {
        var dateColumns = kinds().flatMap(kind -> GeneratedCrds.version(kind).getAdditionalPrinterColumns().stream())
            .filter(c -> "date".equals(c.getType()))
            .map(CustomResourceColumnDefinition::getName)
            .toList();

        assertThat(dateColumns).containsExactlyInAnyOrder("Age", "Age", "Age", "Last Run", "Last Backup", "Next Run");
    }

    @Test
    void storagePolicyRequiresOnlyWhatHasNoSensibleDefault() {
        assertThat(requiredFields(StoragePolicy.class)).containsExactlyInAnyOrder(
            "spec", "spec.seaweedfs", "spec.seaweedfs.endpoint", "spec.seaweedfs.credentialsSecret", "spec.buckets",
            "spec.metadata.connectionSecret", "spec.events.connectionSecret", "spec.fallback.emptyDir.sizeLimit",
            "spec.encryption.keySecret", "spec.signedUrls.keySecret",
            "spec.podSelector.matchExpressions[].key", "spec.podSelector.matchExpressions[].operator",
            "spec.agent.resources.claims[].name",
            "status.conditions[].type", "status.conditions[].status");
    }

    @Test
    void tierRuleRequiresItsPolicyColdAfterAndTarget() {
        assertThat(requiredFields(TierRule.class)).containsExactlyInAnyOrder(
            "spec", "spec.policyRef", "spec.policyRef.name", "spec.coldAfter", "spec.target", "spec.target.bucket",
            "status.conditions[].type", "status.conditions[].status");
    }

    @Test
    void backupScheduleRequiresItsPolicyScheduleAndTarget() {
        assertThat(requiredFields(BackupSchedule.class)).containsExactlyInAnyOrder(
            "spec", "spec.policyRef", "spec.policyRef.name", "spec.schedule", "spec.target", "spec.target.bucket",
            "status.conditions[].type", "status.conditions[].status");
    }

    @Test
    void defaultsFillWhatAPlatformTeamMayLeaveOut() {
        Map<String, String> defaults = Stream.of(StoragePolicy.class, BackupSchedule.class)
            .flatMap(kind -> GeneratedCrds.fields(kind).stream())
            .filter(f -> f.schema().getDefault() != null)
            .collect(Collectors.toMap(GeneratedCrds.Field::path, f -> f.schema().getDefault().toString(), (a, b) -> a));

        assertThat(defaults).containsEntry("spec.fallback", "{\"emptyDir\":{\"sizeLimit\":\"1Gi\"}}")
            .containsEntry("spec.missingPolicyAction", "\"Reject\"")
            .containsEntry("spec.sync.concurrency", "4")
            .containsEntry("spec.verify", "true")
            .containsEntry("spec.suspend", "false");
    }

    private static List<String> requiredFields(Class<? extends CustomResource<?, ?>> kind) {
        return GeneratedCrds.fields(kind).stream().filter(GeneratedCrds.Field::required).map(GeneratedCrds.Field::path).toList();
    }

    private static List<String> columns(Class<? extends CustomResource<?, ?>> kind, boolean wide) {
        return GeneratedCrds.version(kind).getAdditionalPrinterColumns().stream()
            .filter(c -> (c.getPriority() != null && c.getPriority() > 0) == wide)
            .map(c -> c.getName() + "=" + c.getJsonPath())
            .toList();
    }
}
