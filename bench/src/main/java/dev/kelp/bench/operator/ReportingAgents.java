package dev.kelp.bench.operator;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Phase (c): one simulated agent per pod of phase (b), each POSTing the agent's report JSON
 * (docs/architecture.md "Mode reporting": policy, namespace, pod, podUid, agentId, mode,
 * since, reasons, ready, pending, seq, sentAt, heartbeatSeconds) to the operator's
 * {@code /v1/reports} over HTTPS, trusting only the operator's CA.
 *
 * <p>Like the agent: a report at start, then one per heartbeat, each interval jittered ±10%,
 * and one at once when the mode changes. Each simulated agent has its own JDK HttpClient and
 * its own SSLContext, as each agent process does: the JDK client drops a connection idle for
 * 30 s, under the 60 s heartbeat, so a heartbeat opens a new TLS connection, resuming only that
 * agent's own TLS session. (Not one shared client with {@code Connection: close}: the JDK's
 * HttpServer closes such a connection without saying so in its answer, the client pools it
 * anyway, and the next report on it fails. Not a new client per report either: every report
 * would then pay a full handshake, which no agent does after its first.)
 * The agent's own classes are not reused: they would bring Micronaut into the harness.
 */
final class ReportingAgents implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<WebhookLatency.AgentPod> pods;
    private final String namespace;
    private final URI url;
    private final Duration heartbeat;
    private final String caPem;
    private final ScheduledExecutorService clock = Executors.newScheduledThreadPool(2);
    private final ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<String, Agent> agents = new ConcurrentHashMap<>();
    private final Map<Integer, LongAdder> outcomes = new ConcurrentHashMap<>();
    private final LongAdder failures = new LongAdder();
    private final LongAdder sent = new LongAdder();
    private final LongAdder retries = new LongAdder();
    private final LongAdder abandoned = new LongAdder();
    private volatile String lastFailure = "";

    /** One simulated agent: its mode and since, and its sequence. */
    private static final class Agent {
        final WebhookLatency.AgentPod pod;
        final AtomicLong seq = new AtomicLong();
        volatile String mode = "FULL";
        volatile Instant since = Instant.now();
        volatile List<String> reasons = List.of();
        final HttpClient http;

        Agent(WebhookLatency.AgentPod pod, HttpClient http) {
            this.pod = pod;
            this.http = http;
        }
    }

    ReportingAgents(List<WebhookLatency.AgentPod> pods, String namespace, int port, String caPem, Duration heartbeat) throws Exception {
        this.pods = pods;
        this.namespace = namespace;
        this.url = URI.create("https://127.0.0.1:" + port + "/v1/reports");
        this.heartbeat = heartbeat;
        this.caPem = caPem;
    }

    /** Every agent starts within {@code spread} (its first report), then heartbeats on its own jittered schedule. */
    void start(Duration spread) throws Exception {
        for (var pod : pods) {
            var agent = new Agent(pod, HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(trusting(caPem))
                .connectTimeout(Duration.ofSeconds(5)).executor(senders).build());
            agents.put(pod.name(), agent);
            clock.schedule(() -> heartbeat(agent), ThreadLocalRandom.current().nextLong(spread.toMillis() + 1), TimeUnit.MILLISECONDS);
        }
    }

    /** Every agent changes to {@code mode} at a random moment within {@code spread} and reports it at once. */
    void flipAll(String mode, List<String> reasons, Duration spread) {
        for (var agent : agents.values()) {
            clock.schedule(() -> {
                agent.mode = mode;
                agent.reasons = reasons;
                agent.since = Instant.now();
                senders.execute(() -> send(agent, 0));
            }, ThreadLocalRandom.current().nextLong(spread.toMillis() + 1), TimeUnit.MILLISECONDS);
        }
    }

    long sent() {
        return sent.sum();
    }

    /** Attempts that failed (connection error or a non-2xx answer), retried or not. */
    long failures() {
        return failures.sum();
    }

    String lastFailure() {
        return lastFailure;
    }

    /** HTTP status to count, over the whole run. */
    Map<Integer, Long> outcomes() {
        Map<Integer, Long> out = new java.util.TreeMap<>();
        outcomes.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    private void heartbeat(Agent agent) {
        senders.execute(() -> send(agent, 0));
        long base = heartbeat.toMillis();
        long next = base + ThreadLocalRandom.current().nextLong(-base / 10, base / 10 + 1);
        if (!clock.isShutdown()) {
            clock.schedule(() -> heartbeat(agent), next, TimeUnit.MILLISECONDS);
        }
    }

    /** A failed report is retried like the agent retries it: after 1 s, 2 s, 4 s (the agent goes on to the heartbeat). */
    private void send(Agent agent, int attempt) {
        boolean ok = false;
        try {
            var request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(5))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body(agent))).build();
            int status = agent.http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
            outcomes.computeIfAbsent(status, s -> new LongAdder()).increment();
            sent.increment();
            ok = status / 100 == 2;
            if (!ok) {
                lastFailure = "HTTP " + status;
            }
        } catch (Exception e) {
            lastFailure = e.toString();
        }
        if (!ok) {
            failures.increment();
            if (attempt < 3 && !clock.isShutdown()) {
                retries.increment();
                clock.schedule(() -> senders.execute(() -> send(agent, attempt + 1)), 1000L << attempt, TimeUnit.MILLISECONDS);
            } else {
                abandoned.increment();
            }
        }
    }

    /** Reports retried after a failure. */
    long retries() {
        return retries.sum();
    }

    /** Reports still failing after three retries. */
    long abandoned() {
        return abandoned.sum();
    }

    private byte[] body(Agent agent) throws Exception {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("policy", agent.pod.policy());
        report.put("namespace", namespace);
        report.put("pod", agent.pod.name());
        report.put("podUid", agent.pod.uid());
        report.put("agentId", agent.pod.name());
        report.put("mode", agent.mode);
        report.put("since", agent.since.toString());
        report.put("reasons", agent.reasons);
        report.put("ready", true);
        report.put("pending", Map.of("objects", 0, "bytes", 0, "oldestAgeSeconds", 0));
        report.put("seq", agent.seq.incrementAndGet());
        report.put("sentAt", Instant.now().toString());
        report.put("heartbeatSeconds", heartbeat.toSeconds());
        return JSON.writeValueAsBytes(report);
    }

    static SSLContext trusting(String caPem) throws Exception {
        var cert = CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(caPem.getBytes(StandardCharsets.US_ASCII)));
        var store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        store.setCertificateEntry("kelp-operator-ca", cert);
        var trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        var context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    @Override
    public void close() {
        clock.shutdownNow();
        senders.shutdownNow();
        agents.values().forEach(a -> a.http.shutdownNow());
    }
}
