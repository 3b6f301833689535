package dev.kelp.operator.report;

import dev.kelp.testkit.FreePorts;
import dev.kelp.testkit.ProvingGround;
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
import java.util.concurrent.TimeUnit;

/**
 * The packaged agent ({@code agent/target/kelp-agent.jar}) in its own JVM, started the way the
 * injected sidecar starts: its configuration file plus the downward-API environment the
 * webhook sets. No kubelet runs here, so the test plays the kubelet.
 */
final class ReportingAgent implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Process process;
    private final int port;
    private final Path log;

    private ReportingAgent(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    static ReportingAgent start(Path workDir, String configYaml, Map<String, String> downwardApi) throws Exception {
        Path jar = ProvingGround.repoRoot().resolve("agent/target/kelp-agent.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: build it first with `mvn -o -pl agent -am package -DskipTests`");
        }
        int port = FreePorts.take();
        Files.createDirectories(workDir);
        Path config = workDir.resolve("agent.yml");
        Files.writeString(config, configYaml + "\nmicronaut:\n  server:\n    port: " + port + "\n");
        Path log = workDir.resolve("agent.log");
        String java = ProcessHandle.current().info().command().orElse("java");
        var builder = new ProcessBuilder(List.of(java, "-Xmx256m", "-jar", jar.toString()))
            .directory(workDir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("MICRONAUT_CONFIG_FILES", config.toString());
        builder.environment().putAll(downwardApi);
        var agent = new ReportingAgent(builder.start(), port, log);
        agent.awaitReady(Duration.ofSeconds(60));
        return agent;
    }

    /** PUTs a small object; the answer's status. */
    int put(String bucket, String key, String body) throws Exception {
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/objects/" + bucket + "/" + key))
            .header("Content-Type", "text/plain").PUT(HttpRequest.BodyPublishers.ofString(body)).build();
        return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    String mode() throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/mode")).build(),
            HttpResponse.BodyHandlers.ofString()).body();
    }

    String logText() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private void awaitReady(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the agent exited with " + process.exitValue() + ":\n" + logText());
            }
            try {
                var response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/readiness")).build(),
                    HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        process.destroyForcibly();
        throw new IllegalStateException("the agent was not ready after " + timeout + ":\n" + logText());
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
