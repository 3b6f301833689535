package dev.kelp.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kelp.crds.PrintCrds;
import dev.kelp.crds.v1alpha1.SeaweedfsSpec;
import dev.kelp.crds.v1alpha1.StoragePolicy;
import dev.kelp.crds.v1alpha1.StoragePolicySpec;
import dev.kelp.testkit.FreePorts;
import dev.kelp.testkit.ProvingGround;
import dev.kelp.testkit.TestCluster;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
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
    private static int webhookPort;
    private static Path log;

    @BeforeAll
    static void startOperatorProcess() throws Exception {
        client = TestCluster.client();
        PrintCrds.RESOURCES.forEach(crd -> TestCluster.installCrd(client, PrintCrds.read(crd)));
        TestCluster.createNamespace(client, NAMESPACE);
        removeWhatOperatorsLeft();
        opsPort = FreePorts.take();
        webhookPort = FreePorts.take();
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
        builder.environment().put("KELP_WEBHOOK_PORT", Integer.toString(webhookPort));
        builder.environment().put("KELP_WEBHOOK_IPS", "127.0.0.1");
        builder.environment().put("KELP_WEBHOOK_TLS_SECRET", "operator-process-it-tls");
        builder.environment().put("KELP_WEBHOOK_CONFIGURATION", "operator-process-it");
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
        client.pods().inNamespace(NAMESPACE).withGracePeriod(0).delete();
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

        var rendered = await().atMost(Duration.ofSeconds(30)).until(
            () -> client.configMaps().inNamespace(NAMESPACE).withName("kelp-agent-from-process").get(), c -> c != null);
        // Agents are told to report to this operator behind its Service, trusting the CA it issued.
        assertThat(rendered.getData().get("agent.yml")).contains("https://kelp-operator." + NAMESPACE + ".svc/v1/reports");
        String ca = rendered.getData().get("operator-ca.crt");
        assertThat(ca).startsWith("-----BEGIN CERTIFICATE-----");
        var reports = HttpClient.newBuilder().sslContext(trusting(ca)).connectTimeout(Duration.ofSeconds(2)).build();
        var malformed = reports.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + webhookPort + "/v1/reports"))
            .POST(HttpRequest.BodyPublishers.ofString("{}")).header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(malformed.statusCode()).as("the process serves agent reports over TLS with that CA: %s", malformed.body()).isEqualTo(400);
        // No webhook is registered here, as when it was unreachable: a pod that names the policy is
        // admitted without the agent, and the policy's status counts it until the pod goes.
        var pod = new io.fabric8.kubernetes.api.model.PodBuilder()
            .withNewMetadata().withName("admitted-without-agent").withNamespace(NAMESPACE)
            .addToAnnotations("kelp.dev/policy", "from-process").endMetadata()
            .withNewSpec().addNewContainer().withName("app").withImage("registry.invalid/app:1").endContainer().endSpec()
            .build();
        client.pods().inNamespace(NAMESPACE).resource(pod).create();
        var policies = client.resources(StoragePolicy.class).inNamespace(NAMESPACE).withName("from-process");
        var degraded = await().atMost(Duration.ofSeconds(30)).until(() -> policies.get().getStatus(),
            st -> st != null && st.getAgents() != null && Integer.valueOf(1).equals(st.getAgents().getUninjected()));
        assertThat(degraded.getConditions()).anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo("Degraded");
            assertThat(c.getReason()).isEqualTo("PodsWithoutAgent");
        });
        client.pods().inNamespace(NAMESPACE).withName("admitted-without-agent").withGracePeriod(0).delete();
        await().atMost(Duration.ofSeconds(30)).until(() -> policies.get().getStatus().getAgents().getUninjected(), n -> n == 0);

        await().atMost(Duration.ofSeconds(30)).until(() -> get("/metrics").body().contains("operator_sdk_reconciliations_started_total"));
        String metrics = get("/metrics").body();
        assertThat(metrics).contains("jvm_memory_used_bytes", "operator_sdk_events_received_total");
        assertThat(operator.isAlive()).as(Files.readString(log)).isTrue();
        // For docs/benchmarks.md: what the idle operator with three informers and one policy takes.
        Files.readAllLines(Path.of("/proc/" + operator.pid() + "/status")).stream()
            .filter(l -> l.startsWith("VmRSS")).forEach(l -> System.out.println("kelp-operator process " + l));
    }

    private static javax.net.ssl.SSLContext trusting(String caPem) throws Exception {
        var cert = java.security.cert.CertificateFactory.getInstance("X.509")
            .generateCertificate(new java.io.ByteArrayInputStream(caPem.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        var store = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
        store.load(null, null);
        store.setCertificateEntry("kelp-operator-ca", cert);
        var trust = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        var context = javax.net.ssl.SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
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
