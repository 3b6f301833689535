package dev.kelp.agent.versions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micronaut.context.ApplicationContext;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * kelp.versioning as the operator renders it: keep-for in every form the CRD's keepFor allows
 * (Go durations, compound and fractional ones included) binds to the duration it says, and a
 * value that is not a duration stops the agent rather than silently meaning "no limit".
 */
class VersioningConfigTest {

    @ParameterizedTest
    @CsvSource({"720h, PT720H", "90m, PT90M", "30s, PT30S", "250ms, PT0.25S", "1h30m, PT1H30M", "1.5h, PT1H30M",
        "2h45m30s, PT2H45M30S", "30d, PT720H", "PT1H30M, PT1H30M"})
    void keepForBindsInEveryFormThePolicyMayWriteIt(String value, String expected) {
        try (var context = ApplicationContext.run(Map.of("kelp.versioning.enabled", true, "kelp.versioning.keep-for", value,
            "kelp.versioning.keep-last", 4))) {
            var config = context.getBean(VersioningConfig.class);
            assertThat(config.keepForDuration()).isEqualTo(Duration.parse(expected));
            assertThat(config.retention()).isEqualTo(new RetentionPolicy(4, Duration.parse(expected)));
            assertThat(config.keepsVersions()).isTrue();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"soon", "1y", "-1h", "h", "1h30", "P1Y2X"})
    void aKeepForThatIsNotADurationStopsTheAgent(String value) {
        assertThatThrownBy(() -> {
            try (var context = ApplicationContext.run(Map.of("kelp.versioning.enabled", true, "kelp.versioning.keep-for", value))) {
                context.getBean(VersioningConfig.class);
            }
        }).hasStackTraceContaining("kelp.versioning.keep-for");
    }

    @Test
    void absentLimitsMeanNoLimitAndVersioningIsOffByDefault() {
        try (var context = ApplicationContext.run(Map.of())) {
            var config = context.getBean(VersioningConfig.class);
            assertThat(config.enabled()).isFalse();
            assertThat(config.keepLast()).isNull();
            assertThat(config.keepForDuration()).isNull();
            assertThat(config.keepsVersions()).isFalse();
            assertThat(config.diffMaxBytes()).isEqualTo(1024 * 1024);
        }
    }
}
