package dev.kelp.agent.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReportConfigTest {

    private static final Map<String, String> DOWNWARD_API = Map.of(
        "KELP_POLICY", "templates", "KELP_POD_NAMESPACE", "shop", "KELP_POD_NAME", "web-0", "KELP_POD_UID", "3f1e-uid");

    @Test
    void podIdentityComesFromTheWebhooksEnvironment() {
        var identity = config(null, null).identity(DOWNWARD_API);

        assertThat(identity).isEqualTo(new ReportConfig.PodIdentity("templates", "shop", "web-0", "3f1e-uid"));
    }

    @Test
    void propertiesWinOverTheEnvironment() {
        var identity = config("other-policy", "other-uid").identity(DOWNWARD_API);

        assertThat(identity.policy()).isEqualTo("other-policy");
        assertThat(identity.uid()).isEqualTo("other-uid");
    }

    @Test
    void aMissingPartOfTheIdentityIsNamed() {
        assertThatThrownBy(() -> config(null, null).identity(Map.of("KELP_POLICY", "p", "KELP_POD_NAMESPACE", "n", "KELP_POD_NAME", "x")))
            .hasMessageContaining("kelp.report.pod-uid").hasMessageContaining("KELP_POD_UID");
    }

    @Test
    void onlyHttpUrlsAreTaken() {
        assertThatThrownBy(() -> new ReportConfig(URI.create("ftp://operator/v1/reports"), null, Duration.ofSeconds(60),
            Duration.ofSeconds(1), Duration.ofSeconds(5), null, null, null, null)).hasMessageContaining("kelp.report.url");
    }

    @Test
    void theDebounceMayNotExceedTheHeartbeat() {
        assertThatThrownBy(() -> new ReportConfig(URI.create("https://operator/v1/reports"), null, Duration.ofSeconds(1),
            Duration.ofSeconds(2), Duration.ofSeconds(5), null, null, null, null)).hasMessageContaining("kelp.report.debounce");
    }

    private static ReportConfig config(String policy, String uid) {
        return new ReportConfig(URI.create("https://kelp-operator.kelp-system:8443/v1/reports"), null,
            Duration.ofSeconds(60), Duration.ofSeconds(1), Duration.ofSeconds(5), policy, null, null, uid);
    }
}
