package dev.kelp.operator.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kelp.crds.v1alpha1.AgentMode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReportParserTest {

    @Test
    void readsAWellFormedReport() throws Exception {
        var report = ReportParser.parse(bytes(Reports.json("web-0", "uid-1", "FALLBACK")));

        assertThat(report.pod()).isEqualTo("web-0");
        assertThat(report.podUid()).isEqualTo("uid-1");
        assertThat(report.mode()).isEqualTo(AgentMode.FALLBACK);
        assertThat(report.since()).isEqualTo(Instant.parse("2026-12-01T10:00:00Z"));
        assertThat(report.reasons()).containsExactly("seaweedfs: connection refused");
        assertThat(report.pendingObjects()).isEqualTo(3);
        assertThat(report.pendingBytes()).isEqualTo(300);
        assertThat(report.oldestPendingAgeSeconds()).isEqualTo(12);
        assertThat(report.seq()).isEqualTo(7);
        assertThat(report.heartbeat()).isEqualTo(Duration.ofSeconds(60));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "\"mode\":\"FALLBACK\"|\"mode\":\"DEGRADED\"|mode: 'DEGRADED' is not one of [FULL, FALLBACK, LOCAL_ONLY]",
        "\"pod\":\"web-0\"|\"pod\":\"Web_0\"|pod: 'Web_0' is not a Kubernetes name",
        "\"podUid\":\"uid-1\"|\"podUid\":\"\"|podUid: required, a non-empty string",
        "\"ready\":true|\"ready\":\"yes\"|ready: required, true or false",
        "\"objects\":3|\"objects\":-3|pending.objects: required, a whole number of 0 or more",
        "\"since\":\"2026-12-01T10:00:00Z\"|\"since\":\"yesterday\"|since: 'yesterday' is not an ISO-8601 instant",
        "\"heartbeatSeconds\":60|\"heartbeatSeconds\":0|heartbeatSeconds: a whole number from 1 to 3600",
    })
    void refusesABadFieldNamingIt(String good, String bad, String message) {
        String body = Reports.json("web-0", "uid-1", "FALLBACK").replace(good, bad);

        assertThatThrownBy(() -> ReportParser.parse(bytes(body))).isInstanceOf(InvalidReportException.class).hasMessageStartingWith(message);
    }

    @Test
    void readsTheBackupRunsAnAgentReportsAndNoneFromAnAgentThatSendsNone() throws Exception {
        String body = Reports.json("web-0", "uid-1", "FULL").replace("\"heartbeatSeconds\":60}", "\"heartbeatSeconds\":60,\"backups\":["
            + "{\"schedule\":\"nightly\",\"id\":\"20261201T030000Z-9bf9\",\"phase\":\"Succeeded\",\"startedAt\":\"2026-12-01T03:00:00Z\","
            + "\"finishedAt\":\"2026-12-01T03:04:00Z\",\"objects\":12,\"bytes\":3400,\"verified\":true},"
            + "{\"schedule\":\"hourly\",\"id\":\"20261201T100000Z-0001\",\"phase\":\"Running\",\"startedAt\":\"2026-12-01T10:00:00Z\","
            + "\"objects\":0,\"bytes\":0}]}");

        var runs = ReportParser.parse(bytes(body)).backups();

        assertThat(runs).containsExactly(
            new BackupRunReport("nightly", "20261201T030000Z-9bf9", "Succeeded", Instant.parse("2026-12-01T03:00:00Z"),
                Instant.parse("2026-12-01T03:04:00Z"), 12, 3400, true, null),
            new BackupRunReport("hourly", "20261201T100000Z-0001", "Running", Instant.parse("2026-12-01T10:00:00Z"), null, 0, 0, null, null));
        assertThat(ReportParser.parse(bytes(Reports.json("web-0", "uid-1", "FULL"))).backups()).isEmpty();
    }

    @Test
    void refusesABackupRunInAPhaseItDoesNotKnow() {
        String body = Reports.json("web-0", "uid-1", "FULL").replace("\"heartbeatSeconds\":60}", "\"heartbeatSeconds\":60,\"backups\":["
            + "{\"schedule\":\"nightly\",\"id\":\"x\",\"phase\":\"Done\",\"startedAt\":\"2026-12-01T03:00:00Z\",\"objects\":1,\"bytes\":1}]}");

        assertThatThrownBy(() -> ReportParser.parse(bytes(body))).hasMessageContaining("backups[].phase").hasMessageContaining("not Done");
    }

    @Test
    void readsTheTierRunsAnAgentReportsAndNoneFromAnAgentThatSendsNone() throws Exception {
        String body = Reports.json("web-0", "uid-1", "FULL").replace("\"heartbeatSeconds\":60}", "\"heartbeatSeconds\":60,\"tiering\":["
            + "{\"rule\":\"archive\",\"id\":\"20261201T030000Z-9bf9\",\"phase\":\"Failed\",\"startedAt\":\"2026-12-01T03:00:00Z\","
            + "\"finishedAt\":\"2026-12-01T03:01:00Z\",\"objectsMoved\":12,\"bytesMoved\":3400,\"objectsExpired\":2,\"bytesExpired\":10,"
            + "\"hotBytes\":500,\"coldBytes\":3400,\"errors\":1,\"message\":\"1 object(s) could not be moved\"}]}");

        var runs = ReportParser.parse(bytes(body)).tierRuns();

        assertThat(runs).containsExactly(new TierRunReport("archive", "20261201T030000Z-9bf9", "Failed", Instant.parse("2026-12-01T03:00:00Z"),
            Instant.parse("2026-12-01T03:01:00Z"), 12, 3400, 2, 10, 500, 3400, 1, "1 object(s) could not be moved"));
        assertThat(ReportParser.parse(bytes(Reports.json("web-0", "uid-1", "FULL"))).tierRuns()).isEmpty();
    }

    @Test
    void refusesATierRunWithABadCountNamingIt() {
        String body = Reports.json("web-0", "uid-1", "FULL").replace("\"heartbeatSeconds\":60}", "\"heartbeatSeconds\":60,\"tiering\":["
            + "{\"rule\":\"archive\",\"id\":\"x\",\"phase\":\"Succeeded\",\"startedAt\":\"2026-12-01T03:00:00Z\",\"objectsMoved\":-1}]}");

        assertThatThrownBy(() -> ReportParser.parse(bytes(body))).hasMessage("tiering[].objectsMoved: required, a whole number of 0 or more");
    }

    @Test
    void refusesAMissingField() {
        String body = Reports.json("web-0", "uid-1", "FULL").replace("\"policy\":\"templates\",", "");

        assertThatThrownBy(() -> ReportParser.parse(bytes(body))).hasMessage("policy: required, a non-empty string");
    }

    @Test
    void refusesWhatIsNotJson() {
        assertThatThrownBy(() -> ReportParser.parse(bytes("mode=FULL"))).hasMessageStartingWith("the body is not JSON");
        assertThatThrownBy(() -> ReportParser.parse(bytes("[1,2]"))).hasMessage("the body must be a JSON object");
    }

    @Test
    void refusesTooManyReasons() {
        String many = "\"reasons\":[" + "\"x\",".repeat(ReportParser.MAX_REASONS) + "\"x\"]";
        String body = Reports.json("web-0", "uid-1", "FULL").replace("\"reasons\":[\"seaweedfs: connection refused\"]", many);

        assertThatThrownBy(() -> ReportParser.parse(bytes(body))).hasMessageStartingWith("reasons: at most 16 entries");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
