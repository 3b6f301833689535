package dev.kelp.agent.events.cassandra;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kelp.agent.events.AgentEvent;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * One event as one line of JSON, and back. The spool's own format: it keeps the id and the
 * instant exactly, so a replayed event lands on the row it would have landed on at first.
 */
final class EventLines {

    private static final ObjectMapper JSON = new ObjectMapper();

    private EventLines() {
    }

    static String encode(AgentEvent e) {
        ObjectNode n = JSON.createObjectNode();
        n.put("id", e.id().toString());
        n.put("at", e.at().toString());
        n.put("type", e.type().name());
        if (e.bucket() != null) {
            n.put("bucket", e.bucket());
        }
        if (e.key() != null) {
            n.put("key", e.key());
        }
        if (!e.detail().isEmpty()) {
            ObjectNode d = n.putObject("detail");
            e.detail().forEach(d::put);
        }
        try {
            // Jackson escapes control characters, so a line never holds a raw newline.
            return JSON.writeValueAsString(n);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException("cannot encode event " + e.id(), ex);
        }
    }

    /** The event of a line; {@link IllegalArgumentException} if the line is not one (torn, edited, garbage). */
    static AgentEvent decode(String line) {
        try {
            JsonNode n = JSON.readTree(line);
            if (n == null || !n.isObject()) {
                throw new IllegalArgumentException("not a JSON object");
            }
            Map<String, String> detail = new LinkedHashMap<>();
            JsonNode d = n.get("detail");
            if (d != null) {
                if (!d.isObject()) {
                    throw new IllegalArgumentException("detail is not an object");
                }
                d.properties().forEach(en -> detail.put(en.getKey(), en.getValue().asText()));
            }
            return new AgentEvent(UUID.fromString(text(n, "id")), Instant.parse(text(n, "at")),
                AgentEvent.Type.valueOf(text(n, "type")), optional(n, "bucket"), optional(n, "key"), detail);
        } catch (JsonProcessingException | RuntimeException e) {
            throw new IllegalArgumentException("not an event line: " + e.getMessage(), e);
        }
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual()) {
            throw new IllegalArgumentException("missing " + field);
        }
        return v.asText();
    }

    private static String optional(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
