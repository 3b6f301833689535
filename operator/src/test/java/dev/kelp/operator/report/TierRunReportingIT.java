package dev.kelp.operator.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.kelp.crds.PrintCrds;
import dev.kelp.crds.v1alpha1.PolicyReference;
import dev.kelp.crds.v1alpha1.S3Target;
import dev.kelp.crds.v1alpha1.SeaweedfsSpec;
import dev.kelp.crds.v1alpha1.StoragePolicy;
import dev.kelp.crds.v1alpha1.StoragePolicySpec;
import dev.kelp.crds.v1alpha1.TierRule;
import dev.kelp.crds.v1alpha1.TierRuleSpec;
import dev.kelp.operator.KelpOperator;
import dev.kelp.operator.backup.BackupRunEventSource;
import dev.kelp.operator.config.OperatorSettings;
import dev.kelp.operator.tier.TierRunEventSource;
import dev.kelp.testkit.ProvingGround;
import dev.kelp.testkit.TestCluster;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real agent runs a TierRule against the real SeaweedFS (objects move to the cold bucket) and
 * reports the run; the operator, on the real API server, shows it in the TierRule's status:
 * lastRun, objectsMoved, bytesMoved, bytesPerTier and the LastRunSucceeded condition.
 */
class TierRunReportingIT {

    private static final String NAMESPACE = "tier-report-it";
    private static final String POLICY = "cards";
    private static final String RULE = "archive";
    private static final String POD = "cards-0";
    private static final String BUCKET = "tier-report-" + Long.toString(System.currentTimeMillis(), 36);
    private static final String TARGET = "tier-report-cold-" + Long.toString(System.currentTimeMillis(), 36);
    private static final ProvingGround.Service SEAWEEDFS = ProvingGround.service("seaweedfs");

    private static KubernetesClient client;
    private static PodDirectory pods;
    private static AgentRegistry registry;
    private static HttpsServer server;
    private static SelfSignedTls tls;
    private static Operator operator;
    private static ReportingAgent agent;

    @BeforeAll
    static void start() throws Exception {
        client = TestCluster.client();
        PrintCrds.RESOURCES.forEach(crd -> TestCluster.installCrd(client, PrintCrds.read(crd)));
        TestCluster.createNamespace(client, NAMESPACE);
        client.pods().inNamespace(NAMESPACE).delete();
        client.resources(TierRule.class).inNamespace(NAMESPACE).delete();
        await().atMost(Duration.ofSeconds(30)).until(() -> client.pods().inNamespace(NAMESPACE).list().getItems().isEmpty());
        if (!SEAWEEDFS.healthy()) {
            SEAWEEDFS.start();
        }

        pods = PodDirectory.create(client, NAMESPACE);
        registry = new AgentRegistry(pods, Clock.systemUTC());
        var runs = new TierRunEventSource(registry);
        pods.start(30);
        registry.start();
        Path work = Files.createTempDirectory("kelp-tier-report-it");
        tls = SelfSignedTls.create(work);
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls.serverContext()));
        server.createContext(AgentReportHandler.PATH, new AgentReportHandler(registry, () -> true));
        server.setExecutor(Executors.newFixedThreadPool(2));
        server.start();
        operator = KelpOperator.create(client, OperatorSettings.embedded(NAMESPACE), registry, Optional.empty(), List.of(),
            new BackupRunEventSource(registry), runs, new SimpleMeterRegistry());
        operator.start();

        var policy = new StoragePolicy();
        policy.setMetadata(new ObjectMetaBuilder().withName(POLICY).withNamespace(NAMESPACE).build());
        var seaweedfs = new SeaweedfsSpec();
        seaweedfs.setEndpoint(SEAWEEDFS.env().get("KELP_S3_ENDPOINT"));
        seaweedfs.setCredentialsSecret("seaweedfs");
        var spec = new StoragePolicySpec();
        spec.setSeaweedfs(seaweedfs);
        spec.setBuckets(List.of(BUCKET));
        policy.setSpec(spec);
        client.resources(StoragePolicy.class).inNamespace(NAMESPACE).resource(policy).createOr(r -> r.update());
        var rule = new TierRule();
        rule.setMetadata(new ObjectMetaBuilder().withName(RULE).withNamespace(NAMESPACE).build());
        var ruleSpec = new TierRuleSpec();
        var ref = new PolicyReference();
        ref.setName(POLICY);
        ruleSpec.setPolicyRef(ref);
        ruleSpec.setColdAfter("1s");
        var target = new S3Target();
        target.setBucket(TARGET);
        ruleSpec.setTarget(target);
        rule.setSpec(ruleSpec);
        client.resources(TierRule.class).inNamespace(NAMESPACE).resource(rule).create();

        Pod pod = client.pods().inNamespace(NAMESPACE).resource(new PodBuilder()
            .withNewMetadata().withName(POD).addToLabels(PodDirectory.POLICY_LABEL, POLICY).endMetadata()
            .withNewSpec().addNewContainer().withName("app").withImage("example/app").endContainer().endSpec()
            .build()).create();
        agent = ReportingAgent.start(work.resolve("agent"), agentConfig(work.resolve("fallback")), Map.of(
            "KELP_POLICY", POLICY, "KELP_POD_NAMESPACE", NAMESPACE, "KELP_POD_NAME", POD,
            "KELP_POD_UID", pod.getMetadata().getUid(), "KELP_AGENT_ID", POD));
    }

    @AfterAll
    static void stop() throws Exception {
        if (agent != null) {
            agent.close();
        }
        if (operator != null) {
            operator.stop();
        }
        if (server != null) {
            server.stop(0);
        }
        if (registry != null) {
            registry.close();
        }
        if (pods != null) {
            pods.close();
        }
        if (client != null) {
            client.resources(TierRule.class).inNamespace(NAMESPACE).delete();
            client.pods().inNamespace(NAMESPACE).delete();
            client.close();
        }
    }

    @Test
    void aRunTheAgentReportsShowsInTheTierRulesStatus() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertThat(agent.put(BUCKET, "card-" + i, "card number " + i)).isEqualTo(201);
        }
        Thread.sleep(1_500); // past cold-after: nobody read them
        var run = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(agent.baseUrl() + "/v1/tiering/rules/" + RULE + "/run"))
            .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(run.statusCode()).as(run.body()).isEqualTo(200);
        assertThat(run.body()).contains("\"phase\":\"Succeeded\"", "\"objectsMoved\":3");
        var finished = Pattern.compile("\"finishedAt\":\"([^\"]+)\"").matcher(run.body());
        assertThat(finished.find()).isTrue();

        var rules = client.resources(TierRule.class).inNamespace(NAMESPACE).withName(RULE);
        var status = await().atMost(Duration.ofSeconds(30)).until(() -> rules.get().getStatus(),
            s -> s != null && s.getLastRun() != null);

        long bytes = "card number 0".length() * 3L;
        assertThat(status.getLastRun()).isEqualTo(finished.group(1));
        assertThat(status.getObjectsMoved()).isEqualTo(3L);
        assertThat(status.getBytesMoved()).isEqualTo(bytes);
        assertThat(status.getBytesPerTier()).containsEntry("cold", bytes).containsEntry("hot", 0L);
        assertThat(status.getConditions()).anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo("LastRunSucceeded");
            assertThat(c.getStatus()).isEqualTo("True");
            assertThat(c.getMessage()).contains("moved 3 objects");
        });
        assertThat(status.getConditions()).as("the rule's own condition is still there").anySatisfy(c -> assertThat(c.getType()).isEqualTo("Ready"));
    }

    private static String agentConfig(Path fallback) {
        Map<String, String> s3 = SEAWEEDFS.env();
        return """
            kelp:
              storage:
                buckets: [%s]
              fallback:
                dir: %s
              seaweedfs:
                endpoint: %s
                region: %s
                access-key: %s
                secret-key: %s
              report:
                url: %s
                ca-file: %s
                heartbeat: 30s
                debounce: 200ms
              tiering:
                interval: 1h
                rules:
                  - name: %s
                    cold-after: 1s
                    target: {bucket: %s}
            """.formatted(BUCKET, fallback, s3.get("KELP_S3_ENDPOINT"), s3.get("KELP_S3_REGION"), s3.get("KELP_S3_ACCESS_KEY"),
            s3.get("KELP_S3_SECRET_KEY"), "https://127.0.0.1:" + server.getAddress().getPort() + AgentReportHandler.PATH,
            tls.caPem(), RULE, TARGET);
    }
}
