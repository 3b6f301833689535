package dev.kelp.operator.ops;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.javaoperatorsdk.operator.RuntimeInfo;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * Plain-HTTP endpoints for the kubelet and Prometheus, apart from the TLS port the webhook and
 * the agents' reports use: {@code /healthz} (liveness: fails when an informer has stopped
 * watching, which a restart cures), {@code /readyz} (the operator has started; a replica
 * waiting for the leader Lease is ready too, so a rollout does not stall) and {@code /metrics}.
 */
public final class OpsServer implements AutoCloseable {

    private final HttpServer server;

    private OpsServer(HttpServer server) {
        this.server = server;
    }

    /** Starts on {@code port} (0: any free port) on all interfaces. */
    public static OpsServer start(int port, Supplier<RuntimeInfo> runtime, PrometheusMeterRegistry registry) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
            server.createContext("/healthz", exchange -> {
                RuntimeInfo info = runtime.get();
                if (info.isStarted() && !info.allEventSourcesAreHealthy()) {
                    respond(exchange, 503, "text/plain", "unhealthy event sources: " + info.unhealthyEventSources().keySet() + "\n");
                } else {
                    respond(exchange, 200, "text/plain", "ok\n");
                }
            });
            server.createContext("/readyz", exchange -> {
                boolean started = runtime.get().isStarted();
                respond(exchange, started ? 200 : 503, "text/plain", started ? "ok\n" : "starting\n");
            });
            server.createContext("/metrics", exchange ->
                respond(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
            server.setExecutor(Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "kelp-ops-http");
                t.setDaemon(true);
                return t;
            }));
            server.start();
            return new OpsServer(server);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on ops port " + port, e);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length);
        try (var out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
