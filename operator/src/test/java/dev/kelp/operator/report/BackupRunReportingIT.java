package dev.kelp.operator.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.kelp.crds.PrintCrds;
import dev.kelp.crds.v1alpha1.BackupPhase;
import dev.kelp.crds.v1alpha1.BackupSchedule;
import dev.kelp.crds.v1alpha1.BackupScheduleSpec;
import dev.kelp.crds.v1alpha1.PolicyReference;
import dev.kelp.crds.v1alpha1.S3Target;
import dev.kelp.crds.v1alpha1.SeaweedfsSpec;
import dev.kelp.crds.v1alpha1.StoragePolicy;
import dev.kelp.crds.v1alpha1.StoragePolicySpec;
import dev.kelp.operator.KelpOperator;
import dev.kelp.operator.backup.BackupRunEventSource;
import dev.kelp.operator.config.OperatorSettings;
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
 * A real agent runs a BackupSchedule into the real SeaweedFS and reports the run; the operator,
 * on the real API server, shows it in the BackupSchedule's status: phase, last backup, history.
 */
class BackupRunReportingIT {

    private static final String NAMESPACE = "backup-report-it";
    private static final String POLICY = "cards";
    private static final String SCHEDULE = "nightly";
    private static final String POD = "cards-0";
    private static final String TARGET = "backup-report-" + Long.toString(System.currentTimeMillis(), 36);
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
        client.resources(BackupSchedule.class).inNamespace(NAMESPACE).delete();
        await().atMost(Duration.ofSeconds(30)).until(() -> client.pods().inNamespace(NAMESPACE).list().getItems().isEmpty());
        if (!SEAWEEDFS.healthy()) {
            SEAWEEDFS.start();
        }

        pods = PodDirectory.create(client, NAMESPACE);
        registry = new AgentRegistry(pods, Clock.systemUTC());
        var runs = new BackupRunEventSource(registry);
        pods.start(30);
        registry.start();
        Path work = Files.createTempDirectory("kelp-backup-report-it");
        tls = SelfSignedTls.create(work);
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls.serverContext()));
        server.createContext(AgentReportHandler.PATH, new AgentReportHandler(registry, () -> true));
        server.setExecutor(Executors.newFixedThreadPool(2));
        server.start();
        operator = KelpOperator.create(client, OperatorSettings.embedded(NAMESPACE), registry, Optional.empty(), List.of(), runs,
            new SimpleMeterRegistry());
        operator.start();

        var policy = new StoragePolicy();
        policy.setMetadata(new ObjectMetaBuilder().withName(POLICY).withNamespace(NAMESPACE).build());
        var seaweedfs = new SeaweedfsSpec();
        seaweedfs.setEndpoint(SEAWEEDFS.env().get("KELP_S3_ENDPOINT"));
        seaweedfs.setCredentialsSecret("seaweedfs");
        var spec = new StoragePolicySpec();
        spec.setSeaweedfs(seaweedfs);
        spec.setBuckets(List.of(POLICY));
        policy.setSpec(spec);
        client.resources(StoragePolicy.class).inNamespace(NAMESPACE).resource(policy).createOr(r -> r.update());
        var schedule = new BackupSchedule();
        schedule.setMetadata(new ObjectMetaBuilder().withName(SCHEDULE).withNamespace(NAMESPACE).build());
        var scheduleSpec = new BackupScheduleSpec();
        var ref = new PolicyReference();
        ref.setName(POLICY);
        scheduleSpec.setPolicyRef(ref);
        scheduleSpec.setSchedule("0 3 * * *");
        var target = new S3Target();
        target.setBucket(TARGET);
        scheduleSpec.setTarget(target);
        schedule.setSpec(scheduleSpec);
        client.resources(BackupSchedule.class).inNamespace(NAMESPACE).resource(schedule).create();

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
            client.resources(BackupSchedule.class).inNamespace(NAMESPACE).delete();
            client.pods().inNamespace(NAMESPACE).delete();
            client.close();
        }
    }

    @Test
    void aRunTheAgentReportsShowsInTheBackupSchedulesStatus() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertThat(agent.put(POLICY, "card-" + i, "card number " + i)).isEqualTo(201);
        }
        var run = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(agent.baseUrl() + "/v1/backups/" + SCHEDULE))
            .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(run.statusCode()).as(run.body()).isEqualTo(200);
        var id = Pattern.compile("\"id\":\"([^\"]+)\"").matcher(run.body());
        assertThat(id.find()).isTrue();

        var schedules = client.resources(BackupSchedule.class).inNamespace(NAMESPACE).withName(SCHEDULE);
        var status = await().atMost(Duration.ofSeconds(30)).until(() -> schedules.get().getStatus(),
            s -> s != null && s.getLastBackup() != null && s.getPhase() == BackupPhase.SUCCEEDED);

        assertThat(status.getLastBackup().getId()).isEqualTo(id.group(1));
        assertThat(status.getLastBackup().getObjects()).isEqualTo(3L);
        assertThat(status.getLastBackup().getCompletionTime()).isNotNull();
        assertThat(status.getLastBackupTime()).isEqualTo(status.getLastBackup().getCompletionTime());
        assertThat(status.getHistory()).extracting(r -> r.getId() + "=" + r.getPhase()).containsExactly(id.group(1) + "=SUCCEEDED");
        assertThat(status.getNextRun()).as("still computed by the operator").isNotNull();
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
              backups:
                schedules:
                  - name: %s
                    schedule: 0 3 * * *
                    target: {bucket: %s}
            """.formatted(POLICY, fallback, s3.get("KELP_S3_ENDPOINT"), s3.get("KELP_S3_REGION"), s3.get("KELP_S3_ACCESS_KEY"),
            s3.get("KELP_S3_SECRET_KEY"), "https://127.0.0.1:" + server.getAddress().getPort() + AgentReportHandler.PATH,
            tls.caPem(), SCHEDULE, TARGET);
    }
}
