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
import org.junit.jupiter.api.Test;
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

    /**
     * The sample app applies as documented ({@code kubectl apply -k examples/ecards}) and opts
     * in to the example policy it names: the annotation names a policy that examples/ defines,
     * and the ConfigMap carries app.py as it is in the repository.
     */
    @Test
    void theSampleAppAppliesWithKustomizeAndNamesTheExamplePolicy() throws Exception {
        Path ecards = ProvingGround.repoRoot().resolve("examples/ecards");
        String out = kubectl("apply", "-k", ecards.toString(), "-n", NAMESPACE);
        assertThat(out).contains("deployment.apps/ecards").contains("configmap/ecards-app").contains("service/ecards");
        try {
            var deployment = client.apps().deployments().inNamespace(NAMESPACE).withName("ecards").get();
            String policy = deployment.getSpec().getTemplate().getMetadata().getAnnotations().get("kelp.dev/policy");
            var emptyDir = YAML.unmarshal(Files.readString(ProvingGround.repoRoot().resolve("examples/storagepolicy-emptydir.yaml")),
                GenericKubernetesResource.class);
            assertThat(policy).isEqualTo(emptyDir.getMetadata().getName());
            @SuppressWarnings("unchecked")
            var buckets = (List<Object>) ((java.util.Map<String, Object>) emptyDir.getAdditionalProperties().get("spec")).get("buckets");
            assertThat(buckets).as("the buckets app.py uses").contains("templates", "backgrounds");
            var app = client.configMaps().inNamespace(NAMESPACE).withName("ecards-app").get();
            assertThat(app.getData().get("app.py")).isEqualTo(Files.readString(ecards.resolve("app.py")));
        } finally {
            kubectl("delete", "-k", ecards.toString(), "-n", NAMESPACE, "--wait=false");
        }
    }

    private static String kubectl(String... args) throws Exception {
        var command = new java.util.ArrayList<String>();
        command.add(Path.of(ProvingGround.require("KELP_KUBE_BIN"), "kubectl").toString());
        command.addAll(List.of(args));
        var process = new ProcessBuilder(command).redirectErrorStream(true);
        process.environment().put("KUBECONFIG", ProvingGround.require("KUBECONFIG"));
        Process p = process.start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as("kubectl %s: %s", String.join(" ", args), output).isZero();
        return output;
    }
}
