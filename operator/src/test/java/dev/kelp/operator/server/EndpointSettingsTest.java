package dev.kelp.operator.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EndpointSettingsTest {

    @Test
    void everyVariableIsRead() {
        var settings = EndpointSettings.fromEnv(Map.of(
            "KELP_OPERATOR_NAMESPACE", "ops", "KELP_WEBHOOK_SERVICE", "hook", "KELP_WEBHOOK_PORT", "8443",
            "KELP_WEBHOOK_CONFIGURATION", "cfg", "KELP_WEBHOOK_TLS_SECRET", "tls", "KELP_WEBHOOK_CERT_DIR", "/certs",
            "KELP_WEBHOOK_IPS", "127.0.0.1, ::1,"));

        assertThat(settings).isEqualTo(new EndpointSettings("ops", "hook", 8443, "cfg", "tls", Optional.of(Path.of("/certs")), List.of("127.0.0.1", "::1")));
    }

    @Test
    void withNothingSetTheOperatorIsItsOwnCaForTheChartsNames() {
        var settings = EndpointSettings.fromEnv(Map.of("KELP_OPERATOR_NAMESPACE", "kelp-system"));

        assertThat(settings).isEqualTo(new EndpointSettings("kelp-system", "kelp-operator", 9443, "kelp-operator",
            "kelp-operator-webhook-tls", Optional.empty(), List.of()));
    }
}
