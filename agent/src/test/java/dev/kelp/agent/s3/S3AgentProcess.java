package dev.kelp.agent.s3;

import dev.kelp.testkit.FreePorts;
import dev.kelp.testkit.ProvingGround;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * The agent as a sidecar runs it, for the S3 endpoint's ITs: the packaged jar in its own JVM,
 * a rendered configuration pointing at the proving ground's real SeaweedFS and PostgreSQL, and
 * the S3 key pair in the environment variables the operator sets (KELP_S3_ACCESS_KEY_ID,
 * KELP_S3_SECRET_ACCESS_KEY). Ports are passed as system properties because the proving
 * environment's KELP_S3_PORT, if any, would otherwise bind as kelp.s3.port.
 */
final class S3AgentProcess implements AutoCloseable {

    static final String ACCESS_KEY_ID = "AKIAKELPTESTKEY00001";
    static final String SECRET = "kelp/s3+test-secret-0123456789abcdef";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Pattern PENDING = Pattern.compile("\"pending\":\\{\"objects\":(\\d+),");

    private final Process process;
    private final int apiPort;
    private final int s3Port;
    private final Path log;

    private S3AgentProcess(Process process, int apiPort, int s3Port, Path log) {
        this.process = process;
        this.apiPort = apiPort;
        this.s3Port = s3Port;
        this.log = log;
    }

    /** @param properties more configuration, as system properties (which win over files and the environment) */
    static S3AgentProcess start(Path work, List<String> buckets, Map<String, String> properties) {
        try {
            Files.createDirectories(work);
            Path config = work.resolve("kelp-agent.yml");
            Files.writeString(config, """
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
                  metadata:
                    url: %s
                    username: %s
                    password: %s
                """.formatted(String.join(", ", buckets), work.resolve("fallback"),
                ProvingGround.require("KELP_S3_ENDPOINT"), ProvingGround.require("KELP_S3_REGION"),
                ProvingGround.require("KELP_S3_ACCESS_KEY"), ProvingGround.require("KELP_S3_SECRET_KEY"),
                ProvingGround.require("KELP_PG_URL"), ProvingGround.require("KELP_PG_USER"), ProvingGround.require("KELP_PG_PASSWORD")));
            Path jar = ProvingGround.repoRoot().resolve("agent/target/kelp-agent.jar");
            if (!Files.exists(jar)) {
                throw new IllegalStateException(jar + " is missing: integration tests run after `package`");
            }
            int apiPort = Integer.parseInt(properties.getOrDefault("micronaut.server.port", Integer.toString(FreePorts.take())));
            int s3Port = Integer.parseInt(properties.getOrDefault("kelp.s3.port", Integer.toString(FreePorts.take())));
            Path log = work.resolve("agent.log");
            String java = ProcessHandle.current().info().command().orElse("java");
            List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-Dmicronaut.config.files=" + config,
                "-Dmicronaut.server.port=" + apiPort, "-Dkelp.s3.port=" + s3Port));
            properties.forEach((k, v) -> {
                if (!k.equals("micronaut.server.port") && !k.equals("kelp.s3.port")) {
                    command.add("-D" + k + "=" + v);
                }
            });
            command.addAll(List.of("-jar", jar.toString()));
            var builder = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
            Map<String, String> env = builder.environment();
            env.put("KELP_S3_ACCESS_KEY_ID", ACCESS_KEY_ID);
            env.put("KELP_S3_SECRET_ACCESS_KEY", SECRET);
            var agent = new S3AgentProcess(builder.start(), apiPort, s3Port, log);
            agent.awaitReady(Duration.ofSeconds(60));
            return agent;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int s3Port() {
        return s3Port;
    }

    String endpoint() {
        return "http://127.0.0.1:" + s3Port;
    }

    long pid() {
        return process.pid();
    }

    /** A plain aws-sdk-java-v2 client, as an app would configure it: path style, or virtual-host style on {@code <bucket>.localhost}. */
    S3Client client(boolean pathStyle) {
        var builder = S3Client.builder()
            .region(Region.US_EAST_1)
            .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY_ID, SECRET)));
        if (pathStyle) {
            builder.endpointOverride(URI.create(endpoint())).forcePathStyle(true).httpClient(ApacheHttpClient.create());
        } else {
            // <bucket>.localhost needs no DNS entry: the resolver sends every name to loopback, as
            // systemd-resolved and browsers do for *.localhost.
            builder.endpointOverride(URI.create("http://localhost:" + s3Port))
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(false).build())
                .httpClient(ApacheHttpClient.builder().dnsResolver(host -> new InetAddress[] {InetAddress.getLoopbackAddress()}).build());
        }
        return builder.build();
    }

    S3Presigner presigner() {
        return S3Presigner.builder().region(Region.US_EAST_1).endpointOverride(URI.create(endpoint()))
            .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
            .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY_ID, SECRET))).build();
    }

    String mode() {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + "/v1/mode")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    long pendingObjects() {
        Matcher m = PENDING.matcher(mode());
        if (!m.find()) {
            throw new IllegalStateException("no pending figures in " + mode());
        }
        return Long.parseLong(m.group(1));
    }

    void awaitDrained(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!(mode().contains("\"mode\":\"FULL\"") && pendingObjects() == 0)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the fallback volume did not drain within " + timeout + ": " + mode() + "\n" + logTail());
            }
            sleep(200);
        }
    }

    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** SIGTERM, what the kubelet sends when the pod goes; returns at once. */
    void terminate() {
        process.destroy();
    }

    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("the agent did not exit within " + timeout + ":\n" + logTail());
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    private void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the agent exited with " + process.exitValue() + ":\n" + logTail());
            }
            try {
                var response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + "/health/readiness")).build(),
                    HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200 && listening(s3Port)) {
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

    private static boolean listening(int port) {
        try (Socket ignored = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
