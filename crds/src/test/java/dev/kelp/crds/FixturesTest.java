package dev.kelp.crds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The YAML fixtures CelValidationIT sends to the API server agree with the model, and cover it. */
class FixturesTest {

    private static final KubernetesSerialization YAML = new KubernetesSerialization();
    private static final ObjectMapper STRICT = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** Kubernetes types embedded for completeness, which no Kelp example has a reason to set. */
    private static final Set<String> NOT_IN_ANY_EXAMPLE = Set.of(
        "spec.agent.resources.claims", "spec.agent.resources.claims[].name", "spec.agent.resources.claims[].request");

    static Stream<Fixture> validFixtures() {
        return Fixture.in("valid").stream();
    }

    static Stream<Fixture> invalidFixtures() {
        return Fixture.in("invalid").stream();
    }

    static Stream<Class<? extends CustomResource<?, ?>>> kinds() {
        return PrintCrds.KINDS.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidFixtures")
    void everyInvalidFixtureSaysWhatTheApiServerMustRejectItFor(Fixture fixture) {
        assertThat(fixture.expectations()).as("'# expect: <field>: <words>' lines").isNotEmpty();
        assertThat(fixture.expectations()).allSatisfy(e -> assertThat(e.field()).startsWith("spec"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validFixtures")
    void everyValidFixtureReadsIntoTheModelWithNoFieldLeftOver(Fixture fixture) {
        JsonNode tree = YAML.unmarshal(fixture.yaml(), JsonNode.class);
        var kind = kindNamed(tree.get("kind").asText());

        assertThatCode(() -> STRICT.treeToValue(tree, kind)).doesNotThrowAnyException();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void theValidFixturesTogetherSetEverySpecField(Class<? extends CustomResource<?, ?>> kind) {
        Set<String> set = new TreeSet<>();
        Fixture.in("valid").stream()
            .map(f -> YAML.unmarshal(f.yaml(), JsonNode.class))
            .filter(tree -> HasMetadata.getKind(kind).equals(tree.get("kind").asText()))
            .forEach(tree -> collectPaths("spec", tree.get("spec"), set));
        List<String> specFields = GeneratedCrds.fields(kind).stream().map(GeneratedCrds.Field::path)
            .filter(p -> p.startsWith("spec.") && !NOT_IN_ANY_EXAMPLE.contains(p))
            .toList();

        assertThat(set).containsAll(specFields);
    }

    @Test
    void fixturesExistForEveryKind() {
        assertThat(validFixtures().map(f -> f.resource().getKind()).distinct())
            .containsExactlyInAnyOrder("StoragePolicy", "TierRule", "BackupSchedule");
        assertThat(invalidFixtures().map(f -> f.resource().getKind()).distinct())
            .containsExactlyInAnyOrder("StoragePolicy", "TierRule", "BackupSchedule");
    }

    static Class<? extends CustomResource<?, ?>> kindNamed(String name) {
        return PrintCrds.KINDS.stream().filter(k -> HasMetadata.getKind(k).equals(name)).findFirst().orElseThrow();
    }

    private static void collectPaths(String path, JsonNode node, Set<String> into) {
        into.add(path);
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
                var field = fields.next();
                collectPaths(path + "." + field.getKey(), field.getValue(), into);
            }
        } else if (node.isArray()) {
            node.forEach(item -> collectPaths(path + "[]", item, into));
        }
    }
}
