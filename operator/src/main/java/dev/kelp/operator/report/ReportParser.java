package dev.kelp.operator.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kelp.crds.v1alpha1.AgentMode;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads a report body field by field, so that every refusal names the field and what was
 * wrong with it. Sizes are bounded, so what the registry keeps per agent is too.
 */
public final class ReportParser {

    /** Largest body taken; a real report is a few hundred bytes. */
    public static final int MAX_BODY_BYTES = 64 * 1024;
    static final int MAX_REASONS = 16;
    static final int MAX_REASON_LENGTH = 512;
    static final int MAX_BACKUP_RUNS = 32;
    private static final java.util.Set<String> PHASES = java.util.Set.of("Running", "Succeeded", "Failed");
    static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(60);
    static final Duration MAX_HEARTBEAT = Duration.ofHours(1);

    /** DNS-1123 subdomain, what Kubernetes allows in a namespace, pod or policy name. */
    private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");
    private static final ObjectMapper JSON = new ObjectMapper();

    private ReportParser() {
    }

    public static AgentReport parse(byte[] body) throws InvalidReportException {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new InvalidReportException("the body is not JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new InvalidReportException("the body cannot be read: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new InvalidReportException("the body must be a JSON object");
        }
        JsonNode pending = root.path("pending");
        if (!pending.isObject()) {
            throw new InvalidReportException("pending: required, an object with objects, bytes and oldestAgeSeconds");
        }
        return new AgentReport(
            name(root, "policy"),
            name(root, "namespace"),
            name(root, "pod"),
            text(root, "podUid", 64),
            text(root, "agentId", 253),
            mode(root),
            instant(root, "since"),
            reasons(root),
            bool(root, "ready"),
            count(pending, "pending.objects"),
            count(pending, "pending.bytes"),
            count(pending, "pending.oldestAgeSeconds"),
            count(root, "seq"),
            instant(root, "sentAt"),
            heartbeat(root),
            backups(root),
            tierRuns(root));
    }

    /** Optional: agents without tier rules, and those from before tiering existed, send none. */
    private static List<TierRunReport> tierRuns(JsonNode root) throws InvalidReportException {
        JsonNode runs = root.path("tiering");
        if (runs.isMissingNode() || runs.isNull()) {
            return List.of();
        }
        if (!runs.isArray() || runs.size() > MAX_BACKUP_RUNS) {
            throw new InvalidReportException("tiering: an array of at most " + MAX_BACKUP_RUNS + " runs");
        }
        var out = new ArrayList<TierRunReport>();
        for (JsonNode run : runs) {
            if (!run.isObject()) {
                throw new InvalidReportException("tiering: each run is an object");
            }
            String phase = text(run, "phase", 16);
            if (!PHASES.contains(phase)) {
                throw new InvalidReportException("tiering[].phase: one of " + PHASES + ", not " + phase);
            }
            JsonNode finished = run.path("finishedAt");
            JsonNode message = run.path("message");
            out.add(new TierRunReport(name(run, "rule"), text(run, "id", 64), phase, instant(run, "startedAt"),
                finished.isMissingNode() || finished.isNull() ? null : instant(run, "finishedAt"),
                count(run, "tiering[].objectsMoved"), count(run, "tiering[].bytesMoved"),
                count(run, "tiering[].objectsExpired"), count(run, "tiering[].bytesExpired"),
                count(run, "tiering[].hotBytes"), count(run, "tiering[].coldBytes"), count(run, "tiering[].errors"),
                message.isTextual() ? truncate(message.asText(), MAX_REASON_LENGTH) : null));
        }
        return out;
    }

    /** Optional: agents without backups, and those from before backups existed, send none. */
    private static List<BackupRunReport> backups(JsonNode root) throws InvalidReportException {
        JsonNode runs = root.path("backups");
        if (runs.isMissingNode() || runs.isNull()) {
            return List.of();
        }
        if (!runs.isArray() || runs.size() > MAX_BACKUP_RUNS) {
            throw new InvalidReportException("backups: an array of at most " + MAX_BACKUP_RUNS + " runs");
        }
        var out = new java.util.ArrayList<BackupRunReport>();
        for (JsonNode run : runs) {
            if (!run.isObject()) {
                throw new InvalidReportException("backups: each run is an object");
            }
            String phase = text(run, "phase", 16);
            if (!PHASES.contains(phase)) {
                throw new InvalidReportException("backups[].phase: one of " + PHASES + ", not " + phase);
            }
            JsonNode verified = run.path("verified");
            JsonNode finished = run.path("finishedAt");
            JsonNode message = run.path("message");
            out.add(new BackupRunReport(name(run, "schedule"), text(run, "id", 64), phase, instant(run, "startedAt"),
                finished.isMissingNode() || finished.isNull() ? null : instant(run, "finishedAt"),
                count(run, "backups[].objects"), count(run, "backups[].bytes"),
                verified.isBoolean() ? verified.booleanValue() : null,
                message.isTextual() ? truncate(message.asText(), MAX_REASON_LENGTH) : null));
        }
        return out;
    }

    private static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }

    private static String text(JsonNode root, String field, int maxLength) throws InvalidReportException {
        JsonNode node = root.get(field);
        if (node == null || !node.isTextual() || node.asText().isBlank()) {
            throw new InvalidReportException(field + ": required, a non-empty string");
        }
        String value = node.asText();
        if (value.length() > maxLength) {
            throw new InvalidReportException(field + ": at most " + maxLength + " characters, was " + value.length());
        }
        return value;
    }

    private static String name(JsonNode root, String field) throws InvalidReportException {
        String value = text(root, field, 253);
        if (!NAME.matcher(value).matches()) {
            throw new InvalidReportException(field + ": '" + value + "' is not a Kubernetes name (lower case letters, digits, '-' and '.')");
        }
        return value;
    }

    private static AgentMode mode(JsonNode root) throws InvalidReportException {
        String value = text(root, "mode", 32);
        try {
            return AgentMode.valueOf(value);
        } catch (IllegalArgumentException e) {
            throw new InvalidReportException("mode: '" + value + "' is not one of " + Arrays.toString(AgentMode.values()));
        }
    }

    private static Instant instant(JsonNode root, String field) throws InvalidReportException {
        String value = text(root, field, 64);
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new InvalidReportException(field + ": '" + value + "' is not an ISO-8601 instant such as 2026-12-01T10:15:30Z");
        }
    }

    private static boolean bool(JsonNode root, String field) throws InvalidReportException {
        JsonNode node = root.get(field);
        if (node == null || !node.isBoolean()) {
            throw new InvalidReportException(field + ": required, true or false");
        }
        return node.asBoolean();
    }

    private static long count(JsonNode parent, String path) throws InvalidReportException {
        String field = path.substring(path.lastIndexOf('.') + 1);
        JsonNode node = parent.get(field);
        if (node == null || !node.canConvertToExactIntegral() || !node.canConvertToLong() || node.asLong() < 0) {
            throw new InvalidReportException(path + ": required, a whole number of 0 or more");
        }
        return node.asLong();
    }

    private static List<String> reasons(JsonNode root) throws InvalidReportException {
        JsonNode node = root.get("reasons");
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw new InvalidReportException("reasons: a list of strings");
        }
        if (node.size() > MAX_REASONS) {
            throw new InvalidReportException("reasons: at most " + MAX_REASONS + " entries, was " + node.size());
        }
        List<String> reasons = new ArrayList<>(node.size());
        for (JsonNode reason : node) {
            if (!reason.isTextual()) {
                throw new InvalidReportException("reasons: a list of strings");
            }
            String text = reason.asText();
            reasons.add(text.length() <= MAX_REASON_LENGTH ? text : text.substring(0, MAX_REASON_LENGTH) + "...");
        }
        return reasons;
    }

    private static Duration heartbeat(JsonNode root) throws InvalidReportException {
        JsonNode node = root.get("heartbeatSeconds");
        if (node == null || node.isNull()) {
            return DEFAULT_HEARTBEAT;
        }
        if (!node.canConvertToExactIntegral() || node.asLong() < 1 || node.asLong() > MAX_HEARTBEAT.toSeconds()) {
            throw new InvalidReportException("heartbeatSeconds: a whole number from 1 to " + MAX_HEARTBEAT.toSeconds());
        }
        return Duration.ofSeconds(node.asLong());
    }
}
