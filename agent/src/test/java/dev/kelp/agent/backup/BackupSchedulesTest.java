package dev.kelp.agent.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micronaut.context.ApplicationContext;
import io.micronaut.context.env.PropertySource;
import io.micronaut.context.env.yaml.YamlPropertySourceLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackupSchedulesTest {

    @TempDir
    Path dir;

    /** The shape the operator renders (AgentConfigRenderer), read as the agent reads its config file. */
    @Test
    void bindsTheSchedulesTheOperatorRenders() throws IOException {
        Path config = dir.resolve("agent.yml");
        Files.writeString(config, """
            kelp:
              backups:
                schedules:
                  - name: nightly
                    schedule: 0 3 * * *
                    target: {bucket: kelp-backups, prefix: cards/}
                    retention: {keep-last: 7, keep-for: 720h, daily: 7, weekly: 4, monthly: 12}
                    verify: true
                  - name: hourly
                    schedule: 0 * * * *
                    target: {bucket: offsite, endpoint: 'https://s3.example.com', region: eu-west-1}
                    suspend: true
            """, StandardCharsets.UTF_8);
        Map<String, Object> yaml;
        try (var in = Files.newInputStream(config)) {
            yaml = new YamlPropertySourceLoader().read("agent.yml", in);
        }
        try (var context = ApplicationContext.builder().propertySources(PropertySource.of("agent.yml", yaml))
            .properties(Map.of("kelp.fallback.dir", dir.toString())).environments("test").start()) {
            var schedules = context.getBean(BackupSchedules.class);

            var nightly = schedules.require("nightly");
            assertThat(nightly.schedule()).isEqualTo("0 3 * * *");
            assertThat(nightly.verify()).isTrue();
            assertThat(nightly.suspend()).isFalse();
            assertThat(nightly.target().bucket()).isEqualTo("kelp-backups");
            assertThat(nightly.target().prefix()).isEqualTo("cards/");
            assertThat(nightly.target().endpoint()).isNull();
            assertThat(nightly.retention()).isEqualTo(new BackupScheduleConfig.Retention(7, Duration.ofHours(720), 7, 4, 12));
            assertThat(schedules.cron("nightly").nextAfter(Instant.parse("2026-12-01T12:00:00Z"))).contains(Instant.parse("2026-12-02T03:00:00Z"));

            var hourly = schedules.require("hourly");
            assertThat(hourly.suspend()).isTrue();
            assertThat(hourly.target().endpoint()).hasToString("https://s3.example.com");
            assertThat(hourly.target().region()).isEqualTo("eu-west-1");
            assertThat(hourly.retention()).isNull();
            assertThat(schedules.all()).extracting(BackupScheduleConfig::name).containsExactlyInAnyOrder("nightly", "hourly");
        }
    }

    @Test
    void anUnknownScheduleIsAClearNotFound() {
        var schedules = new BackupSchedules(List.of());

        assertThatThrownBy(() -> schedules.require("nightly")).isInstanceOf(BackupException.class)
            .hasMessageContaining("no backup schedule named nightly").hasMessageContaining("kelp.backups.schedules");
    }

    @Test
    void aScheduleThatIsNotCronIsRefusedAtStartWithItsName() {
        var bad = new BackupScheduleConfig("nightly", "every night", null, null, false, false);

        assertThatThrownBy(() -> new BackupSchedules(List.of(bad))).hasMessageContaining("nightly").hasMessageContaining("every night");
    }
}
