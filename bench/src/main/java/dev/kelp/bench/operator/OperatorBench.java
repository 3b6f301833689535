package dev.kelp.bench.operator;

import dev.kelp.crds.v1alpha1.StoragePolicy;
import dev.kelp.testkit.ProvingGround;
import dev.kelp.testkit.TestCluster;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The operator benchmark of issue 5, against the proving ground's real kube-apiserver with the
 * packaged operator as its own process (leader election on): (a) N StoragePolicies to Ready,
 * (b) the injection webhook's latency over N pod creations, (c) the API writes the operator
 * makes while N simulated agents report (steady heartbeats, then every agent to FALLBACK and
 * back), (d) the operator's RSS. Prints a Markdown report and leaves it, the operator's log
 * and the write timeline in the work dir. Run it with scripts/bench-operator.
 *
 * <p>Arguments: {@code <operator jar> <work dir> [--policies N] [--pods N] [--steady-seconds S]
 * [--heartbeat-seconds H]}; KUBECONFIG from the environment.
 */
public final class OperatorBench {

    private static final String OPERATOR_NAMESPACE = "kelp-bench-operator";
    private static final String NAMESPACE = "kelp-bench";
    private static final double MIB = 1024 * 1024;

    private final List<String> report = new ArrayList<>();
    private final KubernetesClient client;
    private final int policies;
    private final int pods;
    private final int steadySeconds;
    private final int heartbeatSeconds;

    private OperatorBench(KubernetesClient client, Map<String, Integer> options) {
        this.client = client;
        this.policies = options.getOrDefault("--policies", 1000);
        this.pods = options.getOrDefault("--pods", 1000);
        this.steadySeconds = options.getOrDefault("--steady-seconds", 180);
        this.heartbeatSeconds = options.getOrDefault("--heartbeat-seconds", 60);
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: OperatorBench <operator jar> <work dir> [--policies N] [--pods N] [--steady-seconds S] [--heartbeat-seconds H]");
            System.exit(2);
        }
        Map<String, Integer> options = new TreeMap<>();
        for (int i = 2; i + 1 < args.length; i += 2) {
            options.put(args[i], Integer.parseInt(args[i + 1]));
        }
        try (KubernetesClient client = TestCluster.client()) {
            new OperatorBench(client, options).run(Path.of(args[0]), Path.of(args[1]));
        }
        System.exit(0);
    }

    private void run(Path jar, Path work) throws Exception {
        Files.createDirectories(work);
        Crds.install(client);
        TestCluster.createNamespace(client, OPERATOR_NAMESPACE);
        TestCluster.createNamespace(client, NAMESPACE);
        var leftovers = new Leftovers(client, NAMESPACE, OPERATOR_NAMESPACE, "kelp-bench-operator");
        leftovers.remove();

        report.add("# Operator benchmark (issue 5)");
        report.add("");
        report.add("Run " + Instant.now() + "; " + policies + " policies, " + pods + " pods, heartbeat " + heartbeatSeconds
            + " s, steady window " + steadySeconds + " s; load average at start " + LoadAverage.now() + ".");
        report.add("");

        // What the bare API server writes by itself (its own identity Lease, ...), to subtract.
        var baselineStart = ApiServerMetrics.scrape(client);
        Thread.sleep(20_000);
        var baseline = ApiServerMetrics.scrape(client).minus(baselineStart).writesByResource();

        try (var operator = OperatorProcess.start(jar, ProvingGround.require("KUBECONFIG"), OPERATOR_NAMESPACE, work)) {
            long t0 = System.nanoTime();
            operator.awaitReady(Duration.ofSeconds(120));
            awaitLeader(Duration.ofSeconds(60));
            double startSeconds = (System.nanoTime() - t0) / 1e9;
            Thread.sleep(10_000);
            long rssIdle = operator.rssBytes();
            String loadIdle = LoadAverage.now();

            var a = new PoliciesToReady(client, NAMESPACE, policies).run(Duration.ofMinutes(10));
            String loadA = LoadAverage.now();
            long rssA = operator.rssBytes();

            var webhook = new WebhookLatency(client, NAMESPACE, operator);
            String ca = webhook.operatorCa(Duration.ofSeconds(30));
            var b = webhook.run(pods, policies, ca);
            String loadB = LoadAverage.now();
            long rssB = operator.rssBytes();

            var c = reporting(operator, ca, b.agents(), work);
            operator.requireAlive();

            client.admissionRegistration().v1().mutatingWebhookConfigurations().withName(operator.webhookConfiguration).delete();
            section(a, loadA);
            section(b, loadB);
            section(c, baseline);
            report.add("## (d) Operator RSS (VmRSS of the JVM, heap capped at 384 MiB as the chart's 512Mi limit does)");
            report.add("");
            report.add("| when | RSS | load average |");
            report.add("| --- | ---: | --- |");
            report.add(String.format(Locale.ROOT, "| idle (leader, no policies; started and leading in %.1f s) | %.0f MiB | %s |", startSeconds, rssIdle / MIB, loadIdle));
            report.add(String.format(Locale.ROOT, "| after (a): %d policies Ready | %.0f MiB | %s |", policies, rssA / MIB, loadA));
            report.add(String.format(Locale.ROOT, "| after (b): %d injected pods | %.0f MiB | %s |", pods, rssB / MIB, loadB));
            report.add(String.format(Locale.ROOT, "| during (c): %d agents reporting, highest sample | %.0f MiB | %s |", pods, c.maxRss / MIB, c.load));
            report.add("");
        } finally {
            client.admissionRegistration().v1().mutatingWebhookConfigurations().withName("kelp-bench-operator").delete();
            leftovers.remove();
        }
        Path out = work.resolve("report.md");
        Files.write(out, report);
        report.forEach(System.out::println);
    }

    private void awaitLeader(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            var lease = client.leases().inNamespace(OPERATOR_NAMESPACE).withName("kelp-operator").get();
            if (lease != null && OperatorProcess.IDENTITY.equals(lease.getSpec().getHolderIdentity())) {
                return;
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("the operator did not take the Lease within " + timeout);
    }

    /** What phase (c) measured: writes per window, the operator's checks of the fold, the reports' outcomes. */
    private record Reporting(Map<String, Long> arrival, double arrivalSeconds, Map<String, Long> steady, double steadySeconds,
                             Map<String, Long> burst, double burstSeconds, double peakBurstStatus, double peakBurstAll,
                             long sent, long failed, long abandoned, Map<Integer, Long> outcomes, String lastFailure,
                             int readyAfterArrival, int inFallback, int fullAfter, long maxRss, String load) {
    }

    private Reporting reporting(OperatorProcess operator, String ca, List<WebhookLatency.AgentPod> agents, Path work) throws Exception {
        List<String> fallbackReasons = List.of("seaweedfs unreachable: connect timed out after 2000 ms");
        try (var timeline = new WriteTimeline(client, operator, 2000);
             var fleet = new ReportingAgents(agents, NAMESPACE, operator.webhookPort, ca, Duration.ofSeconds(heartbeatSeconds))) {
            var m0 = ApiServerMetrics.scrape(client);
            double s0 = timeline.now();
            fleet.start(Duration.ofSeconds(10));
            Thread.sleep(45_000);
            var m1 = ApiServerMetrics.scrape(client);
            double s1 = timeline.now();
            Map<String, Long> agentsPerPolicy = agents.stream().collect(Collectors.groupingBy(WebhookLatency.AgentPod::policy,
                Collectors.counting()));
            int ready = countPolicies(p -> p.getStatus().getAgents() != null && p.getStatus().getAgents().getReady() != null
                && p.getStatus().getAgents().getReady().longValue() == agentsPerPolicy.getOrDefault(p.getMetadata().getName(), 0L));
            Thread.sleep(steadySeconds * 1000L);
            var m2 = ApiServerMetrics.scrape(client);
            double s2 = timeline.now();
            String load = LoadAverage.now();
            // A SeaweedFS outage: each agent notices within 0.2-10 s (docs/architecture.md), then it is over.
            fleet.flipAll("FALLBACK", fallbackReasons, Duration.ofSeconds(10));
            Thread.sleep(30_000);
            int fallback = countPolicies(p -> p.getStatus().getMode() != null && p.getStatus().getMode().name().equals("FALLBACK"));
            fleet.flipAll("FULL", List.of(), Duration.ofSeconds(10));
            Thread.sleep(30_000);
            var m3 = ApiServerMetrics.scrape(client);
            double s3 = timeline.now();
            int full = countPolicies(p -> p.getStatus().getMode() != null && p.getStatus().getMode().name().equals("FULL"));
            Thread.sleep(2_500);
            timeline.writeCsv(work.resolve("writes-timeline.csv"));
            return new Reporting(m1.minus(m0).writesByResource(), s1 - s0, m2.minus(m1).writesByResource(), s2 - s1,
                m3.minus(m2).writesByResource(), s3 - s2, timeline.peakPerSecond("storagepolicies/status", s2, s3),
                timeline.peakPerSecond("", s2, s3), fleet.sent(), fleet.failures(), fleet.abandoned(), fleet.outcomes(), fleet.lastFailure(),
                ready, fallback, full, timeline.maxRss(s0, s3), load);
        }
    }

    private int countPolicies(java.util.function.Predicate<StoragePolicy> test) {
        return (int) client.resources(StoragePolicy.class).inNamespace(NAMESPACE).list().getItems().stream()
            .filter(p -> p.getStatus() != null).filter(test).count();
    }

    private void section(PoliciesToReady.Result a, String load) {
        report.add("## (a) " + a.policies() + " StoragePolicies to Ready");
        report.add("");
        report.add("Each policy: two buckets, SeaweedFS endpoint and credentials Secret, PostgreSQL metadata Secret, emptyDir fallback, quota. "
            + "Created by 16 client threads; Ready = condition Ready=True with observedGeneration = generation, seen by a watch; "
            + "ConfigMaps `kelp-agent-<p>` seen by a watch. Load average after: " + load + ".");
        report.add("");
        report.add("| measured | value | target | met? |");
        report.add("| --- | ---: | ---: | --- |");
        report.add(row("first create to all Ready and rendered", "%.1f s", a.total().toMillis() / 1000.0, "≤ 60 s", a.total().toSeconds() <= 60));
        report.add(row("applying (client side, all creates answered)", "%.1f s", a.applying().toMillis() / 1000.0, "", null));
        report.add(row("create to Ready per policy, p50", "%.0f ms", a.readyAfterCreate().at(50), "", null));
        report.add(row("create to Ready per policy, p99", "%.0f ms", a.readyAfterCreate().at(99), "", null));
        report.add(row("create to Ready per policy, max", "%.0f ms", a.readyAfterCreate().max(), "", null));
        report.add(row("create to first status per policy, p50", "%.0f ms", a.firstStatusAfterCreate().at(50), "", null));
        report.add(row("create to first status per policy, p99", "%.0f ms", a.firstStatusAfterCreate().at(99), "", null));
        report.add(row("ConfigMaps rendered", "%.0f", a.configMaps(), "= " + a.policies(), a.configMaps() == a.policies()));
        report.add("");
    }

    private void section(WebhookLatency.Result b, String load) {
        var h = b.webhook();
        report.add("## (b) Webhook latency over " + b.pods() + " pod creations");
        report.add("");
        report.add(String.format(Locale.ROOT, "Pods created one after the other (%.1f s in all), each annotated `kelp.dev/policy`. "
            + "Webhook figures: the API server's `apiserver_admission_webhook_admission_duration_seconds` for `annotated.inject.kelp.dev`, "
            + "diffed over the run; its buckets are 5, 25, 100 ms, ..., so p50/p99 are interpolated inside a bucket (as `histogram_quantile` does) "
            + "and the bucket shares are the exact figures. \"Webhook alone\": the same pods as AdmissionReviews POSTed by the harness straight to "
            + "`/mutate-pods` over one kept-alive HTTPS connection, sequentially, after " + DirectAdmissionReviews.WARM_UP + " warm-up calls, timed from request sent to answer read (the operator's time plus loopback TLS, "
            + "without the API server). \"Twin\": each pod as the webhook made it (from a dry run), minus the policy annotation and label, created in the "
            + "operator's namespace, which the webhook skips, back to back with the pod in alternating order; \"added\" is pod minus twin at the same "
            + "percentile, the webhook's cost to a pod create timed at full resolution. Load average after: %s.", b.wall().toMillis() / 1000.0, load));
        report.add("");
        report.add("| measured | value | target | met? |");
        report.add("| --- | ---: | ---: | --- |");
        report.add(row("webhook calls counted by the API server", "%.0f", h.count(), "= " + b.pods(), Math.round(h.count()) == b.pods()));
        report.add(row("webhook mean (histogram sum / count)", "%.2f ms", h.meanMillis(), "", null));
        report.add(row("webhook p50 (interpolated)", "%.2f ms", h.quantileMillis(0.50), "", null));
        report.add(row("webhook p99 (interpolated)", "%.2f ms", h.quantileMillis(0.99), "≤ 10 ms", h.quantileMillis(0.99) <= 10));
        report.add(row("webhook calls ≤ 5 ms (bucket)", "%.1f %%", 100 * h.shareWithin(0.005), "", null));
        report.add(row("webhook calls ≤ 25 ms (bucket)", "%.1f %%", 100 * h.shareWithin(0.025), "", null));
        report.add(row("pod create, client side, p50", "%.2f ms", b.clientCreate().at(50), "", null));
        report.add(row("pod create, client side, p99", "%.2f ms", b.clientCreate().at(99), "", null));
        report.add(row("pod create, client side, max", "%.2f ms", b.clientCreate().max(), "", null));
        report.add(row("its twin's create (same pod as injected, webhook not called), p50", "%.2f ms", b.twinCreate().at(50), "", null));
        report.add(row("its twin's create (same pod as injected, webhook not called), p99", "%.2f ms", b.twinCreate().at(99), "", null));
        double addedP99 = b.clientCreate().at(99) - b.twinCreate().at(99);
        report.add(row("added to a pod create by the webhook, p50", "%+.2f ms", b.clientCreate().at(50) - b.twinCreate().at(50), "", null));
        report.add(row("added to a pod create by the webhook, p99", "%+.2f ms", addedP99, "≤ 10 ms", addedP99 <= 10));
        report.add(row("webhook alone: AdmissionReview round trip from the harness, p50", "%.2f ms", b.direct().roundTrip().at(50), "", null));
        report.add(row("webhook alone: AdmissionReview round trip from the harness, p99", "%.2f ms", b.direct().roundTrip().at(99), "≤ 10 ms",
            b.direct().roundTrip().at(99) <= 10));
        report.add(row("webhook alone: answers allowing the pod with a patch", "%.0f", b.direct().patched(), "= " + b.pods(), b.direct().patched() == b.pods()));
        report.add(row("stored pods with the `kelp-agent` sidecar first and the policy label", "%.0f", b.injected(), "= " + b.pods(), b.injected() == b.pods()));
        report.add("");
    }

    private void section(Reporting c, Map<String, Long> baseline) {
        report.add("## (c) API writes caused by " + pods + " reporting agents");
        report.add("");
        report.add(String.format(Locale.ROOT, "One simulated agent per pod of (b) (one pod per policy), POSTing the agent's report JSON to "
            + "`https://127.0.0.1:<port>/v1/reports` trusting the operator's CA, each agent with its own HTTP client and TLS session (a new connection per heartbeat, as the agent's idle one is dropped after 30 s). Not compressed: the real %d s "
            + "heartbeat (±10%% jitter). Windows: fleet arrival (every agent's first report within 10 s, %.0f s window), steady state (%.0f s), "
            + "burst (every agent to FALLBACK within 10 s, back to FULL 30 s later within 10 s, %.0f s window). "
            + "Writes: `apiserver_request_total` for POST/PUT/PATCH/APPLY/DELETE, diffed per window; the harness writes nothing during (c). "
            + "Load average in the steady state: %s.", heartbeatSeconds, c.arrivalSeconds(), c.steadySeconds(), c.burstSeconds(), c.load()));
        report.add("");
        report.add(String.format(Locale.ROOT, "Reports answered: %d; failed attempts: %d, retried after 1, 2, 4 s as the agent does, "
            + "still failing after three retries: %d (HTTP status counts %s%s). "
            + "Checks of the fold through status: %d of %d policies showed all their agents ready after arrival, %d showed mode FALLBACK during the outage, "
            + "%d showed FULL after it.", c.sent(), c.failed(), c.abandoned(), c.outcomes(), c.failed() > 0 ? ", last: " + c.lastFailure() : "",
            c.readyAfterArrival(), policies, c.inFallback(), c.fullAfter()));
        report.add("");
        var keys = new java.util.TreeSet<String>();
        keys.addAll(baseline.keySet());
        keys.addAll(c.arrival().keySet());
        keys.addAll(c.steady().keySet());
        keys.addAll(c.burst().keySet());
        report.add("| writes (resource, verb) | bare API server, /s | arrival | steady, /s | burst | burst, /s |");
        report.add("| --- | ---: | ---: | ---: | ---: | ---: |");
        for (String k : keys) {
            report.add(String.format(Locale.ROOT, "| %s | %.2f | %d | %.2f | %d | %.1f |", k, baseline.getOrDefault(k, 0L) / 20.0,
                c.arrival().getOrDefault(k, 0L), c.steady().getOrDefault(k, 0L) / c.steadySeconds(),
                c.burst().getOrDefault(k, 0L), c.burst().getOrDefault(k, 0L) / c.burstSeconds()));
        }
        long steadyStatus = sum(c.steady(), "storagepolicies/status");
        long burstStatus = sum(c.burst(), "storagepolicies/status");
        long burstEvents = sum(c.burst(), "events");
        report.add("");
        report.add("| against docs/architecture.md \"The arithmetic\" | measured | expected | met? |");
        report.add("| --- | ---: | ---: | --- |");
        report.add(row("steady state: status writes /s (all FULL, nothing pending)", "%.3f", steadyStatus / c.steadySeconds(), "0 /s", steadyStatus == 0));
        report.add(row("steady state: all writes /s (Lease renewals included)", "%.2f", sum(c.steady(), "") / c.steadySeconds(), "", null));
        report.add(row("burst: status writes, both flips", "%.0f", burstStatus, "≤ 2 per policy per flip: ≤ " + 4 * policies
            + " (one per flip with one agent: " + 2 * policies + ")", burstStatus <= 4L * policies));
        report.add(row("burst: Events (AgentsInFallback, Recovered)", "%.0f", burstEvents, "one per policy per flip: " + 2 * policies, null));
        report.add(row("burst: peak status writes /s (2 s samples)", "%.0f", c.peakBurstStatus(), "", null));
        report.add(row("burst: peak all writes /s (2 s samples)", "%.0f", c.peakBurstAll(), "", null));
        report.add("");
    }

    private static long sum(Map<String, Long> writes, String prefix) {
        return writes.entrySet().stream().filter(e -> e.getKey().startsWith(prefix)).mapToLong(Map.Entry::getValue).sum();
    }

    private static String row(String what, String format, double value, String target, Boolean met) {
        return "| " + what + " | " + String.format(Locale.ROOT, format, value) + " | " + target + " | "
            + (met == null ? "" : met ? "yes" : "**no**") + " |";
    }
}
