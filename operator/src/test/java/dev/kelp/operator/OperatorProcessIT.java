package dev.kelp.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kelp.crds.PrintCrds;
import dev.kelp.crds.v1alpha1.SeaweedfsSpec;
import dev.kelp.crds.v1alpha1.StoragePolicy;
import dev.kelp.crds.v1alpha1.StoragePolicySpec;
import dev.kelp.testkit.ProvingGround;
import dev.kelp.testkit.TestCluster;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packaged operator ({@code target/kelp-operator.jar}, what the image runs) as its own
 * process against the real API server, configured only by its environment: it takes the
 * leader Lease in its namespace, answers on its ops port, and reconciles.
 */
class OperatorProcessIT {

    private static final String NAMESPACE = "kelp-operator-it";
    private static final String IDENTITY = "operator-process-it";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private static KubernetesClient client;
    private static Process operator;
    private static int opsPort;
    private static Path log;

    @BeforeAll
    static void startOperatorProcess() throws Exception {
        client = TestCluster.client();
        PrintCrds.RESOURCES.forEach(crd -> TestCluster.installCrd(client, PrintCrds.read(crd)));
        TestCluster.createNamespace(client, NAMESPACE);
        removeWhatOperatorsLeft();
        try (var socket = new ServerSocket(0)) {
            opsPort = socket.getLocalPort();
        }
        Path jar = ProvingGround.repoRoot().resolve("operator/target/kelp-operator.jar");
        assertThat(jar).as("packaged by mvn verify before the ITs run").exists();
        String java = ProcessHandle.current().info().command().orElse("java");
        log = Files.createTempFile("kelp-operator-it", ".log");
        var builder = new ProcessBuilder(java, "-Xmx256m", "-jar", jar.toString())
            .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("KUBECONFIG", ProvingGround.require("KUBECONFIG"));
        builder.environment().put("KELP_OPERATOR_NAMESPACE", NAMESPACE);
        builder.environment().put("KELP_OPERATOR_IDENTITY", IDENTITY);
        builder.environment().put("KELP_OPS_PORT", Integer.toString(opsPort));
        operator = builder.start();
    }

    @AfterAll
    static void stopOperatorProcess() throws Exception {
        if (operator != null) {
            operator.destroy();
            operator.waitFor();
        }
        if (client != null) {
            removeWhatOperatorsLeft();
            client.close();
        }
    }

    /** Policies (finalizers and all) and ConfigMaps of this namespace, also those of an interrupted run. */
    private static void removeWhatOperatorsLeft() {
        var policies = client.resources(StoragePolicy.class).inNamespace(NAMESPACE);
        for (var p : policies.list().getItems()) {
            policies.withName(p.getMetadata().getName()).edit(x -> {
                x.getMetadata().setFinalizers(List.of());
                return x;
            });
        }
        policies.delete();
        client.configMaps().inNamespace(NAMESPACE).withLabel("app.kubernetes.io/managed-by", "kelp-operator").delete();
        await().atMost(Duration.ofSeconds(30)).until(() -> policies.list().getItems().isEmpty()
            && client.configMaps().inNamespace(NAMESPACE).withLabel("app.kubernetes.io/managed-by", "kelp-operator").list().getItems().isEmpty());
    }

    @Test
    void takesTheLeaderLeaseAnswersOnItsOpsPortAndReconciles() throws Exception {
        await().atMost(Duration.ofSeconds(60)).ignoreException(java.net.ConnectException.class).until(() -> get("/readyz").statusCode() == 200);
        assertThat(get("/healthz").statusCode()).isEqualTo(200);

        var lease = await().atMost(Duration.ofSeconds(30)).until(
            () -> client.leases().inNamespace(NAMESPACE).withName("kelp-operator").get(), l -> l != null);
        assertThat(lease.getSpec().getHolderIdentity()).isEqualTo(IDENTITY);

        var policy = new StoragePolicy();
        policy.setMetadata(new ObjectMetaBuilder().withName("from-process").withNamespace(NAMESPACE).build());
        var seaweedfs = new SeaweedfsSpec();
        seaweedfs.setEndpoint("http://seaweedfs-s3.storage:8333");
        seaweedfs.setCredentialsSecret("s3-creds");
        var spec = new StoragePolicySpec();
        spec.setSeaweedfs(seaweedfs);
        spec.setBuckets(List.of("templates"));
        policy.setSpec(spec);
        client.resources(StoragePolicy.class).inNamespace(NAMESPACE).resource(policy).create();

        await().atMost(Duration.ofSeconds(30)).until(() -> client.configMaps().inNamespace(NAMESPACE).withName("kelp-agent-from-process").get() != null);
        await().atMost(Duration.ofSeconds(30)).until(() -> get("/metrics").body().contains("operator_sdk_reconciliations_started_total"));
        String metrics = get("/metrics").body();
        assertThat(metrics).contains("jvm_memory_used_bytes", "operator_sdk_events_received_total");
        assertThat(operator.isAlive()).as(Files.readString(log)).isTrue();
        // For docs/benchmarks.md: what the idle operator with three informers and one policy takes.
        Files.readAllLines(Path.of("/proc/" + operator.pid() + "/status")).stream()
            .filter(l -> l.startsWith("VmRSS")).forEach(l -> System.out.println("kelp-operator process " + l));
    }

    private static HttpResponse<String> get(String path) throws Exception {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + opsPort + path)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            assertThat(operator.isAlive()).as("operator exited:\n" + Files.readString(log)).isTrue();
            throw e;
        }
    }
}
