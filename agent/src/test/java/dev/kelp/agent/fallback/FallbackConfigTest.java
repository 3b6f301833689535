package dev.kelp.agent.fallback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micronaut.context.ApplicationContext;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class FallbackConfigTest {

    private static final long KIB = 1024;
    private static final long MIB = 1024 * KIB;
    private static final long GIB = 1024 * MIB;

    @Test
    void defaultsAreKelpDataUnlimitedAndA64MiBReserve() {
        try (var context = ApplicationContext.run()) {
            var config = context.getBean(FallbackConfig.class);

            assertThat(config.dir()).isEqualTo(Path.of("kelp-data"));
            assertThat(config.maxBytes()).isZero();
            assertThat(config.reserveBytes()).isEqualTo(64 * MIB);
        }
    }

    @Test
    void bindsDirectoryAndSizes() {
        try (var context = ApplicationContext.run(Map.of(
            "kelp.fallback.dir", "/var/lib/kelp",
            "kelp.fallback.max-bytes", "10GiB",
            "kelp.fallback.reserve-bytes", "512KB"))) {
            var config = context.getBean(FallbackConfig.class);

            assertThat(config.dir()).isEqualTo(Path.of("/var/lib/kelp"));
            assertThat(config.maxBytes()).isEqualTo(10 * GIB);
            assertThat(config.reserveBytes()).isEqualTo(512 * KIB);
        }
    }

    @ParameterizedTest
    @CsvSource({
        "123456789, 123456789",
        "0, 0",
        "10GiB, 10737418240",
        "10Gi, 10737418240",
        "10GB, 10737418240",
        "10 gib, 10737418240",
        "64MiB, 67108864",
        "64Mi, 67108864",
        "512KiB, 524288",
        "1TiB, 1099511627776",
        "7B, 7"})
    void readsSizesAsPeopleWriteThem(String written, long bytes) {
        try (var context = ApplicationContext.run(Map.of("kelp.fallback.max-bytes", written))) {
            assertThat(context.getBean(FallbackConfig.class).maxBytes()).isEqualTo(bytes);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "10 gigs", "1.5GiB", "GiB", "99999999999TiB"})
    void anUnreadableOrNegativeSizeFailsInsteadOfFallingBackToTheDefault(String written) {
        try (var context = ApplicationContext.run(Map.of("kelp.fallback.max-bytes", written))) {
            assertThatThrownBy(() -> context.getBean(FallbackConfig.class))
                .hasStackTraceContaining("'" + written + "'");
        }
    }
}
