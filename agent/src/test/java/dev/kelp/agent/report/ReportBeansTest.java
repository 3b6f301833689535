package dev.kelp.agent.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.micronaut.context.ApplicationContext;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportBeansTest {

    @TempDir
    Path dir;

    @Test
    void withoutAReportUrlNothingReports() {
        try (var context = ApplicationContext.run(Map.of("kelp.fallback.dir", dir.toString()))) {
            assertThat(context.containsBean(ModeReporter.class)).isFalse();
            assertThat(context.containsBean(ReportConfig.class)).isFalse();
        }
    }

    @Test
    void aReportUrlWithAPodIdentityStartsTheReporter() {
        // Nothing listens there: the reporter must start anyway and keep trying in the background.
        try (var context = ApplicationContext.run(Map.of("kelp.fallback.dir", dir.toString(),
            "kelp.report.url", "http://127.0.0.1:9/v1/reports", "kelp.report.policy", "p",
            "kelp.report.pod-namespace", "ns", "kelp.report.pod-name", "pod-0", "kelp.report.pod-uid", "uid-0"))) {
            assertThat(context.getBean(ModeReporter.class)).isNotNull();
            assertThat(context.getBean(ReportConfig.class).heartbeat()).hasSeconds(60);
        }
    }
}
