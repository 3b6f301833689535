package dev.kelp.operator.report;

import dev.kelp.crds.v1alpha1.AgentMode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Reports for tests, with the figures a test cares about. */
final class Reports {

    static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    private Reports() {
    }

    static AgentReport report(String pod, AgentMode mode, boolean ready, long objects, long bytes, long oldestSeconds) {
        return new AgentReport("templates", "shop", pod, pod + "-uid", pod, mode, T0, List.of(), ready,
            objects, bytes, oldestSeconds, 1, T0, Duration.ofSeconds(60));
    }

    static String json(String pod, String uid, String mode) {
        return """
            {"policy":"templates","namespace":"shop","pod":"%s","podUid":"%s","agentId":"%s","mode":"%s",
             "since":"2026-12-01T10:00:00Z","reasons":["seaweedfs: connection refused"],"ready":true,
             "pending":{"objects":3,"bytes":300,"oldestAgeSeconds":12},"seq":7,"sentAt":"2026-12-01T10:00:05Z",
             "heartbeatSeconds":60}
            """.formatted(pod, uid, pod, mode);
    }
}
