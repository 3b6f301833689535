package dev.kelp.crds;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.testkit.ProvingGround;
import dev.kelp.testkit.TestCluster;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every custom resource under examples/ is accepted by the real kube-apiserver as written. */
class ExamplesIT {

    private static final String NAMESPACE = "kelp-examples";
    private static final KubernetesSerialization YAML = new KubernetesSerialization();
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

    static Stream<Path> examples() throws IOException {
        try (Stream<Path> files = Files.list(ProvingGround.repoRoot().resolve("examples"))) {
            List<Path> yaml = files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
            assertThat(yaml).as("examples/ holds YAML").isNotEmpty();
            return yaml.stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void theApiServerAcceptsTheExample(Path file) throws IOException {
        var resource = YAML.unmarshal(Files.readString(file), GenericKubernetesResource.class);
        assertThat(resource.getApiVersion()).startsWith("kelp.dev/");
        var resources = client.genericKubernetesResources(resource.getApiVersion(), resource.getKind()).inNamespace(NAMESPACE);
        var named = resources.withName(resource.getMetadata().getName());
        named.delete();
        try {
            resources.resource(resource).create();
            assertThat(named.get()).as("%s stored", file.getFileName()).isNotNull();
        } finally {
            named.delete();
        }
    }
}
