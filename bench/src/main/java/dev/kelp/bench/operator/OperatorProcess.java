package dev.kelp.bench.operator;

import dev.kelp.testkit.FreePorts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The packaged operator ({@code kelp-operator.jar}, what the image runs) as its own process,
 * configured only by its environment the way OperatorProcessIT starts it, leader election on.
 * The heap is capped as the image caps it under the Helm chart's default memory limit (50% of 768Mi).
 */
final class OperatorProcess implements AutoCloseable {

    static final String IDENTITY = "kelp-bench-operator";
    private static final String HEAP = "-Xmx384m";

    final String namespace;
    final String webhookConfiguration;
    final String tlsSecret;
    final int opsPort;
    final int webhookPort;
    final Path log;
    private final Process process;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private OperatorProcess(String namespace, String webhookConfiguration, String tlsSecret, int opsPort, int webhookPort,
                            Path log, Process process) {
        this.namespace = namespace;
        this.webhookConfiguration = webhookConfiguration;
        this.tlsSecret = tlsSecret;
        this.opsPort = opsPort;
        this.webhookPort = webhookPort;
        this.log = log;
        this.process = process;
    }

    static OperatorProcess start(Path jar, String kubeconfig, String namespace, Path work) throws IOException {
        int opsPort;
        int webhookPort;
        opsPort = FreePorts.take();
        webhookPort = FreePorts.take();
        String java = ProcessHandle.current().info().command().orElse("java");
        Path log = work.resolve("operator.log");
        var builder = new ProcessBuilder(List.of(java, HEAP, "-jar", jar.toString()))
            .redirectErrorStream(true).redirectOutput(log.toFile());
        String webhookConfiguration = "kelp-bench-operator";
        String tlsSecret = "kelp-bench-operator-tls";
        builder.environment().putAll(Map.of(
            "KUBECONFIG", kubeconfig,
            "KELP_OPERATOR_NAMESPACE", namespace,
            "KELP_OPERATOR_IDENTITY", IDENTITY,
            "KELP_LEADER_ELECTION", "true",
            "KELP_OPS_PORT", Integer.toString(opsPort),
            "KELP_WEBHOOK_PORT", Integer.toString(webhookPort),
            "KELP_WEBHOOK_IPS", "127.0.0.1",
            "KELP_WEBHOOK_TLS_SECRET", tlsSecret,
            "KELP_WEBHOOK_CONFIGURATION", webhookConfiguration,
            "KELP_AGENT_IMAGE", "ghcr.io/kelp-dev/kelp-agent:bench"));
        return new OperatorProcess(namespace, webhookConfiguration, tlsSecret, opsPort, webhookPort, log, builder.start());
    }

    /** Waits for /readyz; fails with the operator's log if the process died. */
    void awaitReady(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            requireAlive();
            try {
                var response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + opsPort + "/readyz"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("operator not ready after " + timeout + ", log " + log);
    }

    void requireAlive() throws IOException {
        if (!process.isAlive()) {
            throw new IllegalStateException("operator exited (" + process.exitValue() + "):\n" + tail());
        }
    }

    /** Resident set of the operator's JVM, from /proc: what a container's memory limit counts. */
    long rssBytes() throws IOException {
        requireAlive();
        for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IllegalStateException("no VmRSS for " + process.pid());
    }

    private String tail() throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
