package dev.kelp.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The packaged agent in its own JVM, as a sidecar runs it; its RSS read from /proc. */
public final class AgentUnderTest implements AutoCloseable {

    private static final Pattern PENDING = Pattern.compile("\"pending\":\\{\"objects\":(\\d+),\"bytes\":(\\d+)");
    private final Process process;
    public final String base;
    final long startToReadyMillis;
    private final HttpClient http = HttpClient.newHttpClient();
    private final AtomicLong peakRss = new AtomicLong();
    private volatile boolean sampling = true;

    /** The agent's S3 endpoint listens next to its API port. */
    static int s3Port(int apiPort) {
        return apiPort + 1;
    }

    public AgentUnderTest(Path jar, Path config, int port, Path log) throws Exception {
        this(jar, config, port, log, defaultOptions());
    }

    /**
     * {@code -Xmx512m}, or the options in {@code KELP_AGENT_JVM} (split on spaces): an A/B of JVM
     * options, as {@code KELP_AGENT_JAR} is one of builds.
     */
    static List<String> defaultOptions() {
        String options = System.getenv("KELP_AGENT_JVM");
        return options == null || options.isBlank() ? List.of("-Xmx512m") : List.of(options.trim().split("\\s+"));
    }

    /** @param jvmOptions the agent JVM's options, in place of the default {@code -Xmx512m} */
    public AgentUnderTest(Path jar, Path config, int port, Path log, List<String> jvmOptions) throws Exception {
        this.base = "http://127.0.0.1:" + port;
        long t = System.nanoTime();
        List<String> command = new ArrayList<>();
        command.add(java());
        command.addAll(jvmOptions);
        // The S3 endpoint's port as a system property: a KELP_S3_PORT in the environment would bind as kelp.s3.port.
        command.addAll(List.of("-Dmicronaut.config.files=" + config, "-Dkelp.s3.port=" + s3Port(port), "-jar", jar.toString()));
        this.process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        awaitReady();
        this.startToReadyMillis = (System.nanoTime() - t) / 1_000_000;
        Thread.ofPlatform().daemon().start(() -> {
            while (sampling) {
                peakRss.accumulateAndGet(rssBytes(), Math::max);
                sleep(100);
            }
        });
    }

    /** The java command this harness runs on, which the agent runs on too. */
    static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    long pid() {
        return process.pid();
    }

    long rssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException gone) {
            // the process ended
        }
        return 0;
    }

    /** The highest RSS since the last call. */
    long takePeakRss() {
        return peakRss.getAndSet(rssBytes());
    }

    /** {@code GET /v1/mode}, as the agent answers it (JSON). */
    public String mode() throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + "/v1/mode")).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** The sync queue's figures from {@code /v1/mode}: {blobs, bytes} written to the fallback volume and not yet on SeaweedFS. */
    public long[] pending() throws Exception {
        Matcher m = PENDING.matcher(mode());
        if (!m.find()) {
            throw new IllegalStateException("no pending figures in " + mode());
        }
        return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))};
    }

    /** The agent's Prometheus samples whose names start with {@code prefix}, one line of them. */
    public String metric(String prefix) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + "/prometheus")).build(), HttpResponse.BodyHandlers.ofString()).body()
            .lines().filter(l -> l.startsWith(prefix)).collect(java.util.stream.Collectors.joining("; "));
    }

    private void awaitReady() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the agent exited with " + process.exitValue());
            }
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(base + "/health/readiness")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            sleep(20);
        }
        throw new IllegalStateException("the agent was not ready within 90 s");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws Exception {
        sampling = false;
        process.destroy();
        process.waitFor();
    }
}
