package dev.kelp.agent.report;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * POSTs one report and says how it went. Runs on the reporter's own thread, never on a
 * request path; every call is bounded by the timeout.
 */
final class ReportSender implements AutoCloseable {

    /** How one attempt ended. */
    enum Outcome {
        /** The operator took it (2xx). */
        ACCEPTED,
        /** A replica that is not the leader answered 503: another connection will find the leader. */
        NOT_LEADER,
        /** Anything else: refused (4xx), failed (5xx) or unreachable. */
        FAILED
    }

    /** The outcome and what to log about it. */
    record Result(Outcome outcome, String detail) {
    }

    private final URI url;
    private final Duration timeout;
    private final Supplier<HttpClient> clients;
    private HttpClient client;

    ReportSender(URI url, Duration timeout, Supplier<HttpClient> clients) {
        this.url = url;
        this.timeout = timeout;
        this.clients = clients;
        this.client = clients.get();
    }

    /** A client trusting the CA file (or the JDK's trust store without one). */
    static Supplier<HttpClient> clients(ReportConfig config) {
        var ssl = config.caFile() == null ? null : PemTrust.sslContext(config.caFile());
        return () -> {
            var builder = HttpClient.newBuilder().connectTimeout(config.timeout()).version(HttpClient.Version.HTTP_1_1);
            if (ssl != null) {
                builder.sslContext(ssl);
            }
            return builder.build();
        };
    }

    Result send(byte[] json) throws InterruptedException {
        var request = HttpRequest.newBuilder(url).timeout(timeout)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(json)).build();
        try {
            var response = client.send(request, HttpResponse.BodyHandlers.ofString());
            int status = response.statusCode();
            if (status / 100 == 2) {
                return new Result(Outcome.ACCEPTED, null);
            }
            String detail = "HTTP " + status + " " + abbreviate(response.body());
            if (status == 503) {
                // A pooled connection stays on the replica it reached; a new client opens a
                // new connection, which the Service may route to the leader.
                reconnect();
                return new Result(Outcome.NOT_LEADER, detail);
            }
            return new Result(Outcome.FAILED, detail);
        } catch (IOException e) {
            reconnect();
            return new Result(Outcome.FAILED, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private void reconnect() {
        client.shutdownNow();
        client = clients.get();
    }

    @Override
    public void close() {
        client.shutdownNow();
    }

    private static String abbreviate(String body) {
        String oneLine = body == null ? "" : body.replaceAll("\\s+", " ").strip();
        return oneLine.length() <= 200 ? oneLine : oneLine.substring(0, 200) + "...";
    }
}
