package dev.kelp.agent.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sender against a real loopback HTTP server of the JDK's, answering what an operator may answer. */
class ReportSenderTest {

    @TempDir
    Path dir;
    private HttpServer server;
    private final List<Integer> answers = new CopyOnWriteArrayList<>();
    private final List<String> bodies = new CopyOnWriteArrayList<>();
    private final AtomicInteger clientsMade = new AtomicInteger();

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void aTwoHundredAnswerIsAcceptedAndTheBodyArrivesAsSent() throws Exception {
        answers.add(204);
        try (var sender = sender(start())) {
            assertThat(sender.send("{\"mode\":\"FULL\"}".getBytes(StandardCharsets.UTF_8)).outcome())
                .isEqualTo(ReportSender.Outcome.ACCEPTED);
        }
        assertThat(bodies).containsExactly("{\"mode\":\"FULL\"}");
    }

    @Test
    void aNonLeadersServiceUnavailableMeansRetrySoonOnANewClient() throws Exception {
        answers.addAll(List.of(503, 204));
        try (var sender = sender(start())) {
            assertThat(sender.send(new byte[] {'{', '}'}).outcome()).isEqualTo(ReportSender.Outcome.NOT_LEADER);
            assertThat(clientsMade).hasValue(2);
            assertThat(sender.send(new byte[] {'{', '}'}).outcome()).isEqualTo(ReportSender.Outcome.ACCEPTED);
        }
    }

    @Test
    void aRefusalFailsWithTheOperatorsReason() throws Exception {
        answers.add(403);
        try (var sender = sender(start())) {
            var result = sender.send(new byte[] {'{', '}'});

            assertThat(result.outcome()).isEqualTo(ReportSender.Outcome.FAILED);
            assertThat(result.detail()).isEqualTo("HTTP 403 {\"error\":\"no such pod\"}");
        }
    }

    @Test
    void nobodyListeningFailsWithinTheTimeout() throws Exception {
        int port = start();
        server.stop(0);
        server = null;
        long started = System.nanoTime();
        try (var sender = sender(port)) {
            assertThat(sender.send(new byte[] {'{', '}'}).outcome()).isEqualTo(ReportSender.Outcome.FAILED);
        }
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void aCaFileThatIsNotPemIsRefusedNamingTheProperty() throws Exception {
        Path bad = Files.writeString(dir.resolve("ca.pem"), "not a certificate");

        assertThatThrownBy(() -> PemTrust.sslContext(bad)).hasMessageContaining("kelp.report.ca-file");
    }

    private int start() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/reports", exchange -> {
            bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            int status = answers.isEmpty() ? 204 : answers.removeFirst();
            if (status == 204) {
                exchange.sendResponseHeaders(204, -1);
            } else {
                byte[] body = (status == 403 ? "{\"error\":\"no such pod\"}" : "{\"error\":\"not the leader\"}").getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(status, body.length);
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        server.start();
        return server.getAddress().getPort();
    }

    private ReportSender sender(int port) {
        return new ReportSender(URI.create("http://127.0.0.1:" + port + "/v1/reports"), Duration.ofSeconds(2), () -> {
            clientsMade.incrementAndGet();
            return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        });
    }
}
