package dev.kelp.operator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OperatorSettingsTest {

    @Test
    void readsEverySettingFromTheEnvironment() {
        var s = OperatorSettings.from(Map.of(
            "KELP_OPERATOR_NAMESPACE", "kelp-system", "HOSTNAME", "kelp-operator-7d9f", "KELP_OPS_PORT", "9090", "KELP_REPORT_URL", "https://kelp-operator.kelp-system.svc:9443/v1/reports",
            "KELP_REPORT_CA_FILE", "/etc/kelp-operator/tls/ca.crt", "KELP_LEADER_ELECTION", "false", "KELP_RESYNC_INTERVAL", "120"));

        assertThat(s.namespace()).isEqualTo("kelp-system");
        assertThat(s.identity()).isEqualTo("kelp-operator-7d9f");
        assertThat(s.opsPort()).isEqualTo(9090);
        assertThat(s.reportUrl()).contains("https://kelp-operator.kelp-system.svc:9443/v1/reports");
        assertThat(s.reportCaFile()).contains(Path.of("/etc/kelp-operator/tls/ca.crt"));
        assertThat(s.leaderElection()).isFalse();
        assertThat(s.resyncInterval()).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void defaults() {
        var s = OperatorSettings.from(Map.of("KELP_OPERATOR_NAMESPACE", "ops"));

        assertThat(s.opsPort()).isEqualTo(8081);
        assertThat(s.leaderElection()).isTrue();
        assertThat(s.reportUrl()).isEmpty();
        assertThat(s.resyncInterval()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void refusesWhatWouldFailLater() {
        assertThatThrownBy(() -> OperatorSettings.from(Map.of("KELP_OPS_PORT", "http"))).hasMessageContaining("KELP_OPS_PORT");
        assertThatThrownBy(() -> OperatorSettings.from(Map.of("KELP_REPORT_URL", "http://x"))).hasMessageContaining("https");
        assertThatThrownBy(() -> OperatorSettings.from(Map.of("KELP_REPORT_URL", "https://x"))).hasMessageContaining("KELP_REPORT_CA_FILE");
    }
}
