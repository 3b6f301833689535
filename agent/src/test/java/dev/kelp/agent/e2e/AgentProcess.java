package dev.kelp.agent.e2e;

import dev.kelp.testkit.FreePorts;
import dev.kelp.testkit.ProvingGround;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The agent as a sidecar runs it: its own JVM, started from the packaged jar with a rendered
 * configuration file, so tests can kill -9 it like a crashed container.
 */
final class AgentProcess implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Pattern PENDING = Pattern.compile("\"pending\":\\{\"objects\":(\\d+),");

    private final Process process;
    private final int port;
    private final Path log;

    private AgentProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts the agent with {@code configYaml} as its configuration file and waits until it is ready. */
    static AgentProcess start(Path workDir, String configYaml) {
        return start(workDir, configYaml, FreePorts.take());
    }

    /** Starts (or, after a kill, restarts) the agent of {@code workDir} on {@code port}. */
    static AgentProcess start(Path workDir, String configYaml, int port) {
        try {
            Files.createDirectories(workDir);
            Path config = workDir.resolve("kelp-agent.yml");
            Files.writeString(config, configYaml + "\nmicronaut:\n  server:\n    port: " + port + "\n");
            Path jar = ProvingGround.repoRoot().resolve("agent/target/kelp-agent.jar");
            if (!Files.exists(jar)) {
                throw new IllegalStateException(jar + " is missing: integration tests run after `package`");
            }
            Path log = workDir.resolve("agent-" + port + ".log");
            String java = ProcessHandle.current().info().command().orElse("java");
            List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-Dmicronaut.config.files=" + config, "-jar", jar.toString()));
            Process process = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            var agent = new AgentProcess(process, port, log);
            agent.awaitReady(Duration.ofSeconds(60));
            return agent;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    /** Resident set size of the agent's JVM, from /proc. */
    long rssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                }
            }
            throw new IllegalStateException("no VmRSS for the agent");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SIGKILL: no shutdown hook, no flush; what an OOM kill or a node loss does. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** SIGTERM, what the kubelet sends when the pod goes; returns at once. */
    void terminate() {
        process.destroy();
    }

    /** Waits for the process to exit and returns its exit code. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("the agent did not exit within " + timeout + ":\n" + logTail());
        }
        return process.exitValue();
    }

    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    /** The agent's {@code GET /v1/mode} report, as JSON text. */
    String mode() {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/v1/mode")).build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    boolean inMode(String mode) {
        return mode().contains("\"mode\":\"" + mode + "\"");
    }

    /** Objects waiting on the fallback volume to sync, as the mode report says. */
    long pendingObjects() {
        String report = mode();
        Matcher m = PENDING.matcher(report);
        if (!m.find()) {
            throw new IllegalStateException("no pending figures in " + report);
        }
        return Long.parseLong(m.group(1));
    }

    void awaitMode(String mode, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!inMode(mode)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the agent did not reach " + mode + " within " + timeout + ": " + mode());
            }
            sleep(100);
        }
    }

    /** Waits until the agent is FULL with nothing left to sync. */
    void awaitDrained(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!(inMode("FULL") && pendingObjects() == 0)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the fallback volume did not drain within " + timeout + "; last mode report: " + mode() + "\n" + logTail());
            }
            sleep(200);
        }
    }

    String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private void awaitReady(Duration timeout) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the agent exited with " + process.exitValue() + ":\n" + logTail());
            }
            try {
                var response = http.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/health/readiness")).build(),
                    HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            sleep(200);
        }
        process.destroyForcibly();
        throw new IllegalStateException("the agent was not ready after " + timeout + ":\n" + logTail());
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
