package dev.kelp.operator.walkthrough;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.kelp.agent.object.ContentHash;
import dev.kelp.crds.v1alpha1.AgentSpec;
import dev.kelp.crds.v1alpha1.StoragePolicy;
import dev.kelp.operator.chart.Helm;
import dev.kelp.operator.chart.Release;
import dev.kelp.testkit.FreePorts;
import dev.kelp.testkit.ProvingGround;
import dev.kelp.testkit.TestCluster;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The walkthrough a platform team does, on the real proving ground (kube-apiserver + etcd,
 * SeaweedFS, PostgreSQL, Cassandra) with the real helm and kubectl: install the chart, apply
 * the example StoragePolicy, create the sample app's pod (the webhook injects the agent), run
 * the app through an outage of SeaweedFS, watch {@code kubectl get sp} tell the story, and
 * uninstall without orphans.
 *
 * <p>No kubelet, kube-proxy or cluster DNS runs here, so three things stand in for them, and
 * only these (docs/development.md, "The walkthrough test and its stand-ins"):
 * <ol>
 *   <li>The operator's pod: {@link KubeletStandIn} starts {@code kelp-operator.jar} as the
 *       chart's Deployment says (the image's ENTRYPOINT, the container's env with its
 *       {@code fieldRef}s resolved by hand), authenticated as the chart's ServiceAccount by a
 *       token the API server issued ({@link ServiceAccountKubeconfig}) instead of the mounted
 *       one, and with {@code KELP_WEBHOOK_IPS=127.0.0.1} so its certificate covers the address
 *       below.</li>
 *   <li>The webhook Service: the API server cannot reach a Service without kube-proxy, so the
 *       chart's MutatingWebhookConfiguration gets {@code url: https://127.0.0.1:<port>/mutate-pods}
 *       instead of {@code service}, keeping the caBundle the operator patches in.</li>
 *   <li>The app's pod: {@link KubeletStandIn} starts the stored pod's {@code kelp-agent} init
 *       container and its {@code ecards} container as their specs say. Volume mounts become
 *       host directories: the rendered ConfigMap's files are written to a directory standing
 *       in for {@code /etc/kelp}, another stands in for {@code /var/lib/kelp}; environment
 *       values under a mount are rewritten ({@code MICRONAUT_CONFIG_FILES}), and the two paths
 *       inside {@code agent.yml} are overridden by the environment variables the agent reads
 *       ({@code KELP_FALLBACK_DIR}, {@code KELP_REPORT_CA_FILE}, taken from the file and
 *       remapped) so the rendered file is used byte for byte. {@code KELP_REPORT_URL} replaces
 *       the Service DNS name of {@code kelp.report.url} with {@code 127.0.0.1} (no cluster DNS).</li>
 * </ol>
 */
class PlatformWalkthroughIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String POLICY = "cards";

    private final ProvingGround.Service seaweedfs = ProvingGround.service("seaweedfs");
    private final Kubectl kubectl = new Kubectl();
    private final List<Process> processes = new ArrayList<>();
    private KubernetesClient client;
    private Release release;
    private Path work;
    private String appNamespace;

    @AfterEach
    void leaveTheProvingGroundAsFound() throws Exception {
        if (!seaweedfs.healthy()) {
            seaweedfs.start();
        }
        if (appNamespace != null) {
            // What a failed run left: policies lose their finalizer so they go without the operator.
            var policies = client.resources(StoragePolicy.class).inNamespace(appNamespace);
            for (StoragePolicy p : policies.list().getItems()) {
                policies.withName(p.getMetadata().getName()).edit(x -> {
                    x.getMetadata().setFinalizers(List.of());
                    return x;
                });
            }
            policies.delete();
            client.pods().inNamespace(appNamespace).delete();
        }
        for (Process p : processes.reversed()) {
            stop(p);
        }
        if (release != null) {
            release.close();
        }
        if (client != null) {
            client.close();
        }
    }

    @Test
    void aPlatformTeamInstallsKelpRunsTheSampleAppThroughASeaweedFsOutageAndUninstalls() throws Exception {
        client = TestCluster.client();
        work = Files.createTempDirectory("kelp-walkthrough");
        release = Release.fresh(Helm.fromProvingGround(), "kelp-walk");
        appNamespace = "ecards-" + release.namespace.substring(release.namespace.lastIndexOf('-') + 1);
        int webhookPort = FreePorts.take();
        int opsPort = FreePorts.take();
        int agentPort = FreePorts.takePair();
        int appPort = FreePorts.take();

        // 1. helm install: the app's namespace first, since the chart gives the operator `get` on
        // Secrets there (rbac.secretReaders.namespaces) and that namespace must exist.
        TestCluster.createNamespace(client, appNamespace);
        Helm.Result installed = release.install("--create-namespace",
            "--set", "operator.leaderElection.enabled=true",
            "--set", "webhook.port=" + webhookPort,
            "--set", "operator.opsPort=" + opsPort,
            "--set", "rbac.secretReaders.namespaces={" + appNamespace + "}");
        assertThat(installed.succeeded()).as("%s", installed).isTrue();

        // 2. Kubelet stand-in for the operator's pod, from the Deployment the chart stored.
        Deployment deployment = client.apps().deployments().inNamespace(release.namespace).withName(release.operator()).get();
        var podSpec = deployment.getSpec().getTemplate().getSpec();
        Container operatorContainer = podSpec.getContainers().get(0);
        var operatorPod = new ObjectMetaBuilder().withNamespace(release.namespace).withName(release.operator() + "-walkthrough").build();
        ProcessBuilder operator = new KubeletStandIn(client, operatorPod)
            .executable("java", javaOfThisTest())
            .mount("/opt/kelp/kelp-operator.jar", repo("operator/target/kelp-operator.jar"))
            .process(operatorContainer, KubeletStandIn.entrypointOf(repo("operator/Dockerfile")));
        operator.environment().put("KUBECONFIG",
            ServiceAccountKubeconfig.write(kubectl, release.namespace, podSpec.getServiceAccountName(), work).toString());
        operator.environment().put("KELP_WEBHOOK_IPS", "127.0.0.1");
        Process operatorProcess = start(operator, "operator");
        await("the operator answers /readyz").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1))
            .until(() -> alive(operatorProcess, "operator") && status("http://127.0.0.1:" + opsPort + "/readyz") == 200);

        // The operator puts its CA into the chart's webhook configuration; then the URL stand-in.
        var webhooks = client.admissionRegistration().v1().mutatingWebhookConfigurations().withName(release.operator());
        await("the operator patched the caBundle").atMost(Duration.ofSeconds(60)).until(() -> webhooks.get().getWebhooks().stream()
            .allMatch(w -> w.getClientConfig().getCaBundle() != null && !w.getClientConfig().getCaBundle().isEmpty()));
        webhooks.edit(configuration -> {
            configuration.getWebhooks().forEach(w -> {
                w.getClientConfig().setService(null);
                w.getClientConfig().setUrl("https://127.0.0.1:" + webhookPort + "/mutate-pods");
            });
            return configuration;
        });

        // 3. The Secrets the example policy names, with the proving ground's coordinates, and the policy.
        secret(appNamespace, "seaweedfs-credentials", Map.of(
            "accessKey", ProvingGround.require("KELP_S3_ACCESS_KEY"), "secretKey", ProvingGround.require("KELP_S3_SECRET_KEY")));
        secret(appNamespace, "kelp-postgres", Map.of("url", ProvingGround.require("KELP_PG_URL"),
            "username", ProvingGround.require("KELP_PG_USER"), "password", ProvingGround.require("KELP_PG_PASSWORD")));
        secret(appNamespace, "kelp-cassandra", Map.of("contactPoints", ProvingGround.require("KELP_CASSANDRA_CONTACT_POINT"),
            "localDatacenter", ProvingGround.require("KELP_CASSANDRA_DATACENTER")));
        StoragePolicy policy;
        try (InputStream yaml = Files.newInputStream(repo("examples/storagepolicy-emptydir.yaml"))) {
            policy = client.resources(StoragePolicy.class).load(yaml).item();
        }
        // Only what must differ on this machine: where SeaweedFS is, and a free agent port.
        policy.getMetadata().setNamespace(appNamespace);
        policy.getSpec().getSeaweedfs().setEndpoint(ProvingGround.require("KELP_S3_ENDPOINT"));
        var agentSpec = policy.getSpec().getAgent() == null ? new AgentSpec() : policy.getSpec().getAgent();
        agentSpec.setPort(agentPort);
        policy.getSpec().setAgent(agentSpec);
        var policies = client.resources(StoragePolicy.class).inNamespace(appNamespace);
        policies.resource(policy).create();
        await("the policy is Ready").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
            .until(() -> ready(policies.withName(POLICY).get()));

        // 4. The sample app's pod, from the example Deployment's pod template.
        Pod stored = client.pods().inNamespace(appNamespace).resource(appPod(appNamespace, agentPort, appPort)).create();
        Container agentContainer = stored.getSpec().getInitContainers().get(0);
        assertThat(agentContainer.getName()).as("the injected native sidecar comes first").isEqualTo("kelp-agent");
        assertThat(agentContainer.getRestartPolicy()).isEqualTo("Always");
        assertThat(stored.getMetadata().getLabels()).containsEntry("kelp.dev/policy", POLICY);

        // 5. Kubelet stand-in for the app's pod: the agent, then the app beside it.
        Path etcKelp = Files.createDirectories(work.resolve("pod/etc/kelp"));
        Path varLibKelp = Files.createDirectories(work.resolve("pod/var/lib/kelp"));
        var configMap = client.configMaps().inNamespace(appNamespace).withName("kelp-agent-" + POLICY).get();
        for (var file : configMap.getData().entrySet()) {
            Files.writeString(etcKelp.resolve(file.getKey()), file.getValue());
        }
        var pod = new KubeletStandIn(client, stored.getMetadata())
            .executable("java", javaOfThisTest())
            .executable("python3", "python3")
            .mount("/opt/kelp/kelp-agent.jar", repo("agent/target/kelp-agent.jar"))
            .mount("/etc/kelp", etcKelp)
            .mount("/var/lib/kelp", varLibKelp)
            .mount("/app", repo("examples/ecards"));
        ProcessBuilder agent = pod.process(agentContainer, KubeletStandIn.entrypointOf(repo("agent/Dockerfile")));
        JsonNode agentYml = new ObjectMapper(new YAMLFactory()).readTree(configMap.getData().get("agent.yml"));
        agent.environment().put("KELP_FALLBACK_DIR", pod.remap(agentYml.at("/kelp/fallback/dir").asText()));
        agent.environment().put("KELP_REPORT_CA_FILE", pod.remap(agentYml.at("/kelp/report/ca-file").asText()));
        agent.environment().put("KELP_REPORT_URL", "https://127.0.0.1:" + webhookPort + "/v1/reports");
        Process agentProcess = start(agent, "agent");
        String health = "http://127.0.0.1:" + agent.environment().get("KELP_AGENT_HEALTH_PORT");
        await("the agent passes its startup probe").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
            .until(() -> alive(agentProcess, "agent") && status(health + "/health/readiness") == 200);
        Container appContainer = stored.getSpec().getContainers().get(0);
        Process appProcess = start(pod.process(appContainer, List.of()), "ecards");
        var app = new CardsApp(appPort);
        await("the app answers /healthz").atMost(Duration.ofSeconds(30)).until(() -> alive(appProcess, "ecards") && app.healthy());

        // 6. Saving, while kubectl tells the story.
        for (int i = 0; i < 10; i++) {
            app.saveTemplateAndImage(i == 0 ? 9 << 20 : 64 << 10);   // the first image is over the app's part size: multipart
        }
        assertThat(app.failures).isEmpty();
        await("kubectl get sp: FULL, 1/1").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1))
            .until(() -> sp(appNamespace).get("MODE").equals("FULL") && sp(appNamespace).get("AGENTS").equals("1/1"));

        var keepSaving = new AtomicBoolean(true);
        Thread saver = Thread.ofPlatform().name("ecards-user").start(() -> {
            while (keepSaving.get()) {
                app.saveTemplateAndImage(32 << 10);
                sleep(250);
            }
        });
        int savedBeforeOutage = app.saved.size();
        seaweedfs.kill();
        long killed = System.nanoTime();
        await("kubectl get sp: FALLBACK").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
            .until(() -> sp(appNamespace).get("MODE").equals("FALLBACK"));
        long fallbackSeen = System.nanoTime();
        long firstPending = pending(sp(appNamespace));
        // Pending travels with the agent's reports: at a mode change, then once per heartbeat.
        await("kubectl get sp: PENDING grows").atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1))
            .until(() -> pending(sp(appNamespace)) > firstPending);
        long grownPending = pending(sp(appNamespace));
        keepSaving.set(false);
        saver.join();
        assertThat(app.failures).as("the app keeps saving through the outage").isEmpty();
        int savedDuringOutage = app.saved.size() - savedBeforeOutage;
        assertThat(savedDuringOutage).isPositive();

        seaweedfs.start();
        long restarted = System.nanoTime();
        String agentApi = "http://127.0.0.1:" + agentPort;
        await("the agent drained its queue").atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(200)).until(() -> {
            String mode = body(agentApi + "/v1/mode");
            return mode.contains("\"mode\":\"FULL\"") && mode.contains("\"pending\":{\"objects\":0,");
        });
        long drained = System.nanoTime();
        await("kubectl get sp: FULL, PENDING 0").atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500))
            .until(() -> sp(appNamespace).get("MODE").equals("FULL") && pending(sp(appNamespace)) == 0);
        long fullSeen = System.nanoTime();
        // The agent reports the end of a drain at once, not at its next heartbeat (60 s).
        assertThat(millis(drained, fullSeen)).as("ms from the drain's end to PENDING 0 in kubectl").isLessThan(30_000);

        try (S3Client s3 = seaweedFs()) {
            for (CardsApp.Saved object : app.saved) {
                String key = "blobs/" + ContentHash.ofBytes(object.bytes()).shardedPath();
                byte[] onSeaweedFs = s3.getObjectAsBytes(b -> b.bucket(object.bucket()).key(key)).asByteArray();
                assertThat(onSeaweedFs).as("%s/%s on SeaweedFS", object.bucket(), object.name()).isEqualTo(object.bytes());
            }
        }
        String described = kubectl.run("describe", "sp", POLICY, "-n", appNamespace);
        assertThat(described).as(described).contains("AgentsInFallback", "Recovered");

        System.out.printf("walkthrough: %d objects saved (%d during the outage); FALLBACK in kubectl %d ms after kill -9;"
                + " PENDING %d -> %d; drained %d ms after SeaweedFS was back; FULL + PENDING 0 in kubectl %d ms after it was back%n",
            app.saved.size(), savedDuringOutage, millis(killed, fallbackSeen), firstPending, grownPending,
            millis(restarted, drained), millis(restarted, fullSeen));

        // 7. Clean up like a user: the app, the policy (the operator removes its ConfigMap), the chart.
        client.pods().inNamespace(appNamespace).withName(stored.getMetadata().getName()).delete();
        stop(appProcess);   // the kubelet would stop the app, then the sidecar
        stop(agentProcess);
        policies.withName(POLICY).delete();
        await("the operator removed the policy and its ConfigMap").atMost(Duration.ofSeconds(60)).until(() ->
            policies.withName(POLICY).get() == null && client.configMaps().inNamespace(appNamespace).withName("kelp-agent-" + POLICY).get() == null);
        Helm.Result uninstalled = release.uninstall();
        assertThat(uninstalled.succeeded()).as("%s", uninstalled).isTrue();
        stop(operatorProcess);
        assertNothingLeft(appNamespace);
    }

    /** Everything the chart rendered is gone; of what the operator made, only what docs/helm.md says stays. */
    private void assertNothingLeft(String appNamespace) {
        String ns = release.namespace;
        String instance = "app.kubernetes.io/instance";
        assertThat(client.admissionRegistration().v1().mutatingWebhookConfigurations().withName(release.operator()).get()).isNull();
        assertThat(client.rbac().clusterRoles().withLabel(instance, release.name).list().getItems()).isEmpty();
        assertThat(client.rbac().clusterRoleBindings().withLabel(instance, release.name).list().getItems()).isEmpty();
        assertThat(client.rbac().roles().inAnyNamespace().withLabel(instance, release.name).list().getItems()).isEmpty();
        assertThat(client.rbac().roleBindings().inAnyNamespace().withLabel(instance, release.name).list().getItems()).isEmpty();
        assertThat(client.apps().deployments().inNamespace(ns).list().getItems()).isEmpty();
        assertThat(client.services().inNamespace(ns).list().getItems()).isEmpty();
        assertThat(client.serviceAccounts().inNamespace(ns).list().getItems()).extracting(a -> a.getMetadata().getName())
            .doesNotContain(release.operator());
        assertThat(client.configMaps().inAnyNamespace().withLabel("app.kubernetes.io/managed-by", "kelp-operator").list().getItems()
            .stream().filter(c -> c.getMetadata().getNamespace().equals(appNamespace)).toList()).isEmpty();
        assertThat(client.pods().inNamespace(appNamespace).list().getItems()).isEmpty();
        // docs/helm.md, Uninstall: the operator's TLS Secret and its Lease stay, removed by hand.
        assertThat(client.secrets().inNamespace(ns).list().getItems()).extracting(s -> s.getMetadata().getName())
            .containsExactly(release.operator() + "-webhook-tls");
        assertThat(client.leases().inNamespace(ns).list().getItems()).extracting(l -> l.getMetadata().getName())
            .containsExactly("kelp-operator");
        kubectl.run("-n", ns, "delete", "secret", release.operator() + "-webhook-tls");
        kubectl.run("-n", ns, "delete", "lease", "kelp-operator");
    }

    /** The example Deployment's pod template as a bare pod, its two ports moved to free ones. */
    private Pod appPod(String namespace, int agentPort, int appPort) throws Exception {
        List<HasMetadata> items;
        try (InputStream yaml = Files.newInputStream(repo("examples/ecards/deployment.yaml"))) {
            items = client.load(yaml).items();
        }
        Deployment ecards = items.stream().filter(Deployment.class::isInstance).map(Deployment.class::cast).findFirst().orElseThrow();
        var template = ecards.getSpec().getTemplate();
        for (EnvVar env : template.getSpec().getContainers().get(0).getEnv()) {
            switch (env.getName()) {
                case "KELP_AGENT_URL" -> env.setValue("http://127.0.0.1:" + agentPort);
                case "ECARDS_PORT" -> env.setValue(Integer.toString(appPort));
                default -> { }
            }
        }
        assertThat(template.getMetadata().getAnnotations()).containsEntry("kelp.dev/policy", POLICY);
        return new PodBuilder().withNewMetadata().withNamespace(namespace).withName("ecards-walkthrough")
            .withLabels(template.getMetadata().getLabels()).withAnnotations(template.getMetadata().getAnnotations()).endMetadata()
            .withSpec(template.getSpec()).build();
    }

    private void secret(String namespace, String name, Map<String, String> data) {
        client.secrets().inNamespace(namespace).resource(new SecretBuilder().withNewMetadata().withName(name).endMetadata()
            .withStringData(data).build()).create();
    }

    private Map<String, String> sp(String namespace) {
        return kubectl.storagePolicy(namespace, POLICY);
    }

    private static long pending(Map<String, String> row) {
        String cell = row.get("PENDING");
        return cell == null || cell.isEmpty() || cell.equals("<none>") ? 0 : Long.parseLong(cell);
    }

    private static boolean ready(StoragePolicy policy) {
        return policy != null && policy.getStatus() != null && policy.getStatus().getConditions() != null
            && policy.getStatus().getConditions().stream().anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
    }

    private Process start(ProcessBuilder builder, String name) throws Exception {
        Process process = builder.redirectErrorStream(true).redirectOutput(work.resolve(name + ".log").toFile()).start();
        processes.add(process);
        return process;
    }

    private boolean alive(Process process, String name) throws Exception {
        if (!process.isAlive()) {
            throw new AssertionError(name + " exited with " + process.exitValue() + ":\n" + Files.readString(work.resolve(name + ".log")));
        }
        return true;
    }

    private static void stop(Process process) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    private static S3Client seaweedFs() {
        return S3Client.builder()
            .endpointOverride(URI.create(ProvingGround.require("KELP_S3_ENDPOINT")))
            .region(Region.of(ProvingGround.require("KELP_S3_REGION")))
            .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                ProvingGround.require("KELP_S3_ACCESS_KEY"), ProvingGround.require("KELP_S3_SECRET_KEY"))))
            .forcePathStyle(true)
            // SDK 2.30+ sends CRC checksums by default, which SeaweedFS does not speak.
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
            .httpClient(UrlConnectionHttpClient.create())
            .build();
    }

    private static int status(String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception notYet) {
            return -1;
        }
    }

    private static String body(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.ofString()).body();
    }

    private static String javaOfThisTest() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    private static Path repo(String path) {
        return ProvingGround.repoRoot().resolve(path);
    }

    private static long millis(long from, long to) {
        return TimeUnit.NANOSECONDS.toMillis(to - from);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
