package dev.kelp.operator.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.kelp.crds.v1alpha1.AgentMode;
import dev.kelp.testkit.ProvingGround;
import dev.kelp.testkit.TestCluster;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
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
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A real agent process reports over HTTPS to the operator's report handler, which checks the
 * reporting pod against the proving ground's real kube-apiserver (the pod is stored there; no
 * kubelet runs it, the test starts its agent). The fold follows the agent through a real
 * SeaweedFS outage, and the event source triggers the policy's reconcile, at most once per
 * interval.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AgentReportingIT {

    private static final String NAMESPACE = "report-it";
    private static final String POLICY = "templates";
    private static final String POD = "web-0";
    /** The handler behind a server that closes every connection: each report pays a TLS handshake. */
    private static final String CLOSING_PATH = "/closing" + AgentReportHandler.PATH;
    /** The handler as a replica that is not the leader serves it. */
    private static final String FOLLOWER_PATH = "/follower" + AgentReportHandler.PATH;
    private static final String SERVER_THREAD = "report-server-";
    private static final Duration HEARTBEAT = Duration.ofSeconds(2);
    private static final Duration INTERVAL = Duration.ofSeconds(1);
    private static final ResourceID POLICY_ID = new ResourceID(POLICY, NAMESPACE);
    private static final Pattern SINCE = Pattern.compile("\"since\":\"([^\"]+)\"");
    private static final ProvingGround.Service SEAWEEDFS = ProvingGround.service("seaweedfs");

    private static KubernetesClient client;
    private static PodDirectory pods;
    private static AgentRegistry registry;
    private static FleetEventSource events;
    private static final List<Instant> triggers = new CopyOnWriteArrayList<>();
    private static HttpsServer server;
    private static SelfSignedTls tls;
    private static HttpClient http;
    private static ReportingAgent agent;
    private static Pod pod;

    @BeforeAll
    static void start() throws Exception {
        client = TestCluster.client();
        TestCluster.createNamespace(client, NAMESPACE);
        client.pods().inNamespace(NAMESPACE).withLabel(PodDirectory.POLICY_LABEL).delete();
        await().atMost(Duration.ofSeconds(30)).until(() -> client.pods().inNamespace(NAMESPACE).list().getItems().isEmpty());

        pods = PodDirectory.create(client, NAMESPACE);
        registry = new AgentRegistry(pods, Clock.systemUTC());
        events = new FleetEventSource(registry, INTERVAL);
        events.setEventHandler(AgentReportingIT::recordTrigger);
        events.start();
        pods.start(30);
        registry.start();

        Path work = Files.createTempDirectory("kelp-report-it");
        tls = SelfSignedTls.create(work);
        http = HttpClient.newBuilder().sslContext(tls.clientContext()).connectTimeout(Duration.ofSeconds(5)).build();
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls.serverContext()));
        var handler = new AgentReportHandler(registry, () -> true);
        server.createContext(AgentReportHandler.PATH, handler);
        server.createContext(FOLLOWER_PATH, new AgentReportHandler(registry, () -> false));
        server.createContext(CLOSING_PATH, exchange -> {
            exchange.getResponseHeaders().set("Connection", "close");
            handler.handle(exchange);
        });
        server.setExecutor(Executors.newFixedThreadPool(4, Thread.ofPlatform().name(SERVER_THREAD, 0).factory()));
        server.start();

        if (!SEAWEEDFS.healthy()) {
            SEAWEEDFS.start();
        }
        pod = client.pods().inNamespace(NAMESPACE).resource(new PodBuilder()
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
        if (!SEAWEEDFS.healthy()) {
            SEAWEEDFS.start();
        }
        if (server != null) {
            server.stop(0);
        }
        if (events != null) {
            events.stop();
        }
        if (registry != null) {
            registry.close();
        }
        if (pods != null) {
            pods.close();
        }
        if (client != null) {
            client.pods().inNamespace(NAMESPACE).delete();
            client.close();
        }
    }

    @Test
    @Order(1)
    void theFoldShowsTheAgentReadyInFullMode() {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(fold())
            .isEqualTo(new FleetStatus(1, 1, 1, 0, 0, 0, 0, 0, AgentMode.FULL)));
        await().atMost(Duration.ofSeconds(5)).until(() -> !triggers.isEmpty());
    }

    @Test
    @Order(2)
    void theFoldFollowsTheAgentIntoFallbackWhenSeaweedFsDies() throws Exception {
        int triggersBefore = triggers.size();
        SEAWEEDFS.kill();
        // Writes notice the outage first (the probe of a healthy SeaweedFS runs only every 10 s);
        // each is acknowledged from the fallback volume.
        for (int i = 0; i < 5; i++) {
            assertThat(agent.put("templates", "outage-" + i, "written during the outage " + i)).isEqualTo(201);
        }

        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> {
            assertThat(fold().fallback()).isEqualTo(1);
            assertThat(fold().worstMode()).isEqualTo(AgentMode.FALLBACK);
        });
        Instant folded = Instant.now();
        Matcher since = SINCE.matcher(agent.mode());
        assertThat(since.find()).isTrue();
        long millis = Duration.between(Instant.parse(since.group(1)), folded).toMillis();
        System.out.printf("[AgentReportingIT] agent FULL -> FALLBACK to fold FALLBACK: %d ms%n", millis);
        assertThat(millis).isLessThan(3000);
        await().atMost(Duration.ofSeconds(5)).until(() -> triggers.size() > triggersBefore);

        // Pending figures ride on the next heartbeat, not on a report of their own.
        await().atMost(HEARTBEAT.multipliedBy(3)).untilAsserted(() -> {
            assertThat(fold().pendingObjects()).as(agent.mode()).isEqualTo(5);
            assertThat(fold().pendingBytes()).isPositive();
        });
    }

    @Test
    @Order(3)
    void aReportForAPodThatDoesNotExistOrHasAnotherUidIsRefused() throws Exception {
        var unknownPod = post(Reports.json("web-9", "some-uid", "FULL").replace("\"shop\"", "\"" + NAMESPACE + "\""));
        var otherUid = post(Reports.json(POD, "not-" + pod.getMetadata().getUid(), "FULL").replace("\"shop\"", "\"" + NAMESPACE + "\""));
        var otherPolicy = post(Reports.json(POD, pod.getMetadata().getUid(), "FULL")
            .replace("\"shop\"", "\"" + NAMESPACE + "\"").replace("\"templates\"", "\"images\""));

        assertThat(unknownPod.statusCode()).isEqualTo(403);
        assertThat(unknownPod.body()).contains("no pod report-it/web-9");
        assertThat(otherUid.statusCode()).isEqualTo(403);
        assertThat(otherUid.body()).contains("another UID");
        assertThat(otherPolicy.statusCode()).isEqualTo(403);
        assertThat(otherPolicy.body()).contains("kelp.dev/policy=images");
        assertThat(fold().fallback()).isEqualTo(1);
    }

    @Test
    @Order(4)
    void aMalformedReportIsRefusedWithTheReason() throws Exception {
        var notJson = post("mode=FULL");
        var badMode = post(Reports.json(POD, pod.getMetadata().getUid(), "SOMETIMES").replace("\"shop\"", "\"" + NAMESPACE + "\""));
        var get = http.send(HttpRequest.newBuilder(reportsUri()).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(notJson.body()).contains("not JSON");
        assertThat(badMode.statusCode()).isEqualTo(400);
        assertThat(badMode.body()).contains("mode: 'SOMETIMES' is not one of");
        assertThat(get.statusCode()).isEqualTo(405);
    }

    @Test
    @Order(4)
    void anOversizedBodyIsRefusedAndAFollowerSendsAgentsToTheLeader() throws Exception {
        var huge = post("{\"reasons\":[\"" + "x".repeat(ReportParser.MAX_BODY_BYTES) + "\"]}");
        String valid = Reports.json(POD, pod.getMetadata().getUid(), "FULL").replace("\"shop\"", "\"" + NAMESPACE + "\"");
        var follower = http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.getAddress().getPort() + FOLLOWER_PATH))
            .POST(HttpRequest.BodyPublishers.ofString(valid)).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(huge.statusCode()).isEqualTo(413);
        assertThat(follower.statusCode()).isEqualTo(503);
        assertThat(follower.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(follower.body()).contains("not the leader");
        assertThat(fold().fallback()).as("a follower keeps nothing").isEqualTo(1);
    }

    @Test
    @Order(5)
    void anAgentSilentForThreeHeartbeatsDropsOutOfReadyButItsPodStillCounts() throws Exception {
        Pod silent = client.pods().inNamespace(NAMESPACE).resource(new PodBuilder()
            .withNewMetadata().withName("web-1").addToLabels(PodDirectory.POLICY_LABEL, POLICY).endMetadata()
            .withNewSpec().addNewContainer().withName("app").withImage("example/app").endContainer().endSpec()
            .build()).create();
        await().atMost(Duration.ofSeconds(10)).until(() -> fold().total() == 2);
        String once = Reports.json("web-1", silent.getMetadata().getUid(), "LOCAL_ONLY")
            .replace("\"shop\"", "\"" + NAMESPACE + "\"").replace("\"heartbeatSeconds\":60", "\"heartbeatSeconds\":1");

        assertThat(post(once).statusCode()).isEqualTo(204);
        assertThat(fold().localOnly()).isEqualTo(1);
        assertThat(fold().worstMode()).isEqualTo(AgentMode.LOCAL_ONLY);

        await().atLeast(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(6)).until(() -> fold().localOnly() == 0);
        assertThat(fold().total()).isEqualTo(2);
        assertThat(fold().ready()).isEqualTo(1);
        client.pods().inNamespace(NAMESPACE).withName("web-1").delete();
        await().atMost(Duration.ofSeconds(10)).until(() -> fold().total() == 1);
    }

    @Test
    @Order(6)
    void theHandlerTakesThousandsOfReportsPerSecond() throws Exception {
        int threads = 8;
        int each = 500;
        String uid = pod.getMetadata().getUid();
        var pool = Executors.newFixedThreadPool(threads);
        long start = System.nanoTime();
        long cpuStart = cpuNanos();
        var done = new java.util.ArrayList<java.util.concurrent.Future<Long>>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            done.add(pool.submit(() -> {
                long accepted = 0;
                for (int i = 0; i < each; i++) {
                    String body = Reports.json(POD, uid, "FALLBACK").replace("\"shop\"", "\"" + NAMESPACE + "\"")
                        .replace("\"seq\":7", "\"seq\":" + (1_000_000 + thread * each + i));
                    accepted += post(body).statusCode() == 204 ? 1 : 0;
                }
                return accepted;
            }));
        }
        long accepted = 0;
        for (var f : done) {
            accepted += f.get();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        System.out.printf("[AgentReportingIT] %d reports over HTTPS (keep-alive, %d clients) in %.2f s: %.0f reports/s%n",
            accepted, threads, seconds, accepted / seconds);
        assertThat(accepted).isEqualTo((long) threads * each);
        assertThat(fold().fallback()).isEqualTo(1);

        double keepAliveCpuMs = (cpuNanos() - cpuStart) / 1e6 / accepted;

        // What an agent's heartbeat costs when its idle connection closed in between (the JDK
        // client keeps one for 30 s, the heartbeat is 60 s): a new TLS connection per report.
        // The server closes each connection here, so one client makes a handshake per report.
        int fresh = 300;
        long freshStart = System.nanoTime();
        long freshCpuStart = cpuNanos();
        for (int i = 0; i < fresh; i++) {
            String body = Reports.json(POD, uid, "FALLBACK").replace("\"shop\"", "\"" + NAMESPACE + "\"")
                .replace("\"seq\":7", "\"seq\":" + (2_000_000 + i));
            assertThat(http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.getAddress().getPort() + CLOSING_PATH))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(204);
        }
        double freshMs = (System.nanoTime() - freshStart) / 1e6 / fresh;
        double freshCpuMs = (cpuNanos() - freshCpuStart) / 1e6 / fresh;
        System.out.printf("[AgentReportingIT] operator-side CPU per report (server threads): %.2f ms on a kept-alive "
            + "connection, %.2f ms on a new TLS connection (%.1f ms wall each)%n", keepAliveCpuMs, freshCpuMs, freshMs);
    }

    @Test
    @Order(7)
    void deletingThePodDropsItsAgentFromTheFold() {
        client.pods().inNamespace(NAMESPACE).withName(POD).delete();

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(fold()).isEqualTo(FleetStatus.NONE);
            assertThat(registry.size()).isZero();
        });
        // The agent goes on reporting for a pod that is gone: refused, so it stays out.
        await().during(HEARTBEAT.multipliedBy(2)).atMost(HEARTBEAT.multipliedBy(3)).until(() -> registry.size() == 0);
    }

    @Test
    @Order(8)
    void theEventSourceTriggeredThePolicyAtMostOncePerInterval() {
        System.out.printf("[AgentReportingIT] %d reconcile triggers for %s%n", triggers.size(), POLICY_ID);
        assertThat(triggers).hasSizeGreaterThanOrEqualTo(4);
        for (int i = 1; i < triggers.size(); i++) {
            assertThat(Duration.between(triggers.get(i - 1), triggers.get(i)))
                .as("trigger %d after %d", i, i - 1).isGreaterThanOrEqualTo(INTERVAL.minusMillis(50));
        }
    }

    /** CPU time of the server's side only: its dispatcher (accept, TLS) and handler threads. */
    private static long cpuNanos() {
        var threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith(SERVER_THREAD) || t.getName().startsWith("HTTP-Dispatcher")) {
                sum += Math.max(0, threads.getThreadCpuTime(t.threadId()));
            }
        }
        return sum;
    }

    private static void recordTrigger(Event event) {
        assertThat(event.getRelatedCustomResourceID()).isEqualTo(POLICY_ID);
        triggers.add(Instant.now());
    }

    private static FleetStatus fold() {
        return registry.of(NAMESPACE, POLICY);
    }

    private static HttpResponse<String> post(String body) throws Exception {
        return http.send(HttpRequest.newBuilder(reportsUri()).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI reportsUri() {
        return URI.create("https://127.0.0.1:" + server.getAddress().getPort() + AgentReportHandler.PATH);
    }

    private static String agentConfig(Path fallback) {
        Map<String, String> s3 = SEAWEEDFS.env();
        return """
            kelp:
              storage:
                buckets: [templates]
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
                heartbeat: %ds
                debounce: 500ms
            """.formatted(fallback, s3.get("KELP_S3_ENDPOINT"), s3.get("KELP_S3_REGION"), s3.get("KELP_S3_ACCESS_KEY"),
            s3.get("KELP_S3_SECRET_KEY"), reportsUri(), tls.caPem(), HEARTBEAT.toSeconds());
    }
}
