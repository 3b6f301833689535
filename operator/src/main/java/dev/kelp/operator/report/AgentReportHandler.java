package dev.kelp.operator.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * {@code POST /v1/reports}: takes one agent's report into the {@link AgentRegistry}. Answers
 * 204 when taken (or already superseded), 400 with the reason for a body that is not a valid
 * report, 403 when no pod with that name, UID and policy label exists, 405 for another
 * method, 413 for a body over 64 KiB, and 503 (Retry-After: 1) while this replica is not
 * the leader or has not yet listed the pods. The trust model: see docs/architecture.md,
 * "Mode reporting".
 */
public final class AgentReportHandler implements HttpHandler {

    public static final String PATH = "/v1/reports";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final AgentRegistry registry;
    private final BooleanSupplier leader;

    /** {@code leader}: whether this replica holds the lease; the others answer 503 so agents retry elsewhere. */
    public AgentReportHandler(AgentRegistry registry, BooleanSupplier leader) {
        this.registry = registry;
        this.leader = leader;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"POST".equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().set("Allow", "POST");
                respond(exchange, 405, "only POST is allowed on " + PATH);
                return;
            }
            if (!leader.getAsBoolean() || !registry.hasSynced()) {
                exchange.getResponseHeaders().set("Retry-After", "1");
                respond(exchange, 503, leader.getAsBoolean() ? "the operator is still listing pods" : "this operator replica is not the leader");
                return;
            }
            byte[] body = readBounded(exchange.getRequestBody());
            if (body == null) {
                respond(exchange, 413, "a report is at most " + ReportParser.MAX_BODY_BYTES + " bytes");
                return;
            }
            AgentReport report;
            try {
                report = ReportParser.parse(body);
            } catch (InvalidReportException e) {
                respond(exchange, 400, e.getMessage());
                return;
            }
            var offer = registry.offer(report);
            if (offer.outcome() == AgentRegistry.Outcome.UNKNOWN_POD) {
                respond(exchange, 403, offer.reason());
                return;
            }
            exchange.sendResponseHeaders(204, -1);
        }
    }

    /** The body, or null when it is longer than a report may be. */
    private static byte[] readBounded(InputStream in) throws IOException {
        byte[] body = in.readNBytes(ReportParser.MAX_BODY_BYTES + 1);
        return body.length > ReportParser.MAX_BODY_BYTES ? null : body;
    }

    private static void respond(HttpExchange exchange, int status, String message) throws IOException {
        byte[] json = JSON.writeValueAsBytes(Map.of("error", message));
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, json.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(json);
        }
    }
}
