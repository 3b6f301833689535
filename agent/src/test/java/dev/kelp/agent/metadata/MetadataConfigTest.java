package dev.kelp.agent.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kelp.agent.events.AgentEvent;
import dev.kelp.agent.events.EventSink;
import io.micronaut.configuration.jdbc.hikari.DatasourceConfiguration;
import io.micronaut.context.ApplicationContext;
import io.micronaut.inject.qualifiers.Qualifiers;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetadataConfigTest {

    @TempDir
    Path fallbackDir;

    ApplicationContext run(Map<String, Object> properties) {
        Map<String, Object> all = new java.util.HashMap<>(properties);
        all.put("kelp.fallback.dir", fallbackDir.toString());
        return ApplicationContext.run(all, "test");
    }

    static DatasourceConfiguration datasource(ApplicationContext context) {
        return context.getBean(DatasourceConfiguration.class, Qualifiers.byName("default"));
    }

    @Test
    void withNothingConfiguredMetadataIsEmbeddedOnTheFallbackVolume() {
        try (var context = run(Map.of())) {
            var config = context.getBean(MetadataConfig.class);

            assertThat(config.url()).isNull();
            assertThat(config.embedded()).isTrue();
            assertThat(config.probeInterval()).isEqualTo(Duration.ofMillis(500));
            assertThat(datasource(context).getJdbcUrl())
                .isEqualTo(MetadataConfig.embeddedUrl(fallbackDir))
                .startsWith("jdbc:h2:file:" + fallbackDir.toAbsolutePath() + "/metadata/kelp;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE");
            assertThat(datasource(context).getConnectionTimeout()).as("an outage is noticed within a second").isEqualTo(1000);
        }
    }

    @Test
    void aPostgresUrlAndCredentialsGoToTheDefaultDataSource() {
        try (var context = run(Map.of(
            "kelp.metadata.url", "jdbc:postgresql://127.0.0.1:1/kelp",
            "kelp.metadata.username", "kelp",
            "kelp.metadata.password", "s3cret",
            "kelp.metadata.probe-interval", "2s"))) {
            var config = context.getBean(MetadataConfig.class);

            assertThat(config).isEqualTo(new MetadataConfig("jdbc:postgresql://127.0.0.1:1/kelp", "kelp", "s3cret", Duration.ofSeconds(2), 100000L));
            assertThat(config.embedded()).isFalse();
            assertThat(config.toString()).doesNotContain("s3cret");
            assertThat(datasource(context).getJdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:1/kelp");
            assertThat(datasource(context).getUsername()).isEqualTo("kelp");
            assertThat(datasource(context).getPassword()).isEqualTo("s3cret");
            assertThat(datasource(context).getDriverClassName()).isEqualTo("org.postgresql.Driver");
        }
    }

    @Test
    void aUrlThatIsNotJdbcIsRefused() {
        try (var context = run(Map.of())) {
            var violations = context.getBean(Validator.class)
                .validate(new MetadataConfig("postgres://db:5432/kelp", "kelp", "kelp", Duration.ofMillis(500), 100000L));
            assertThat(violations).extracting(ConstraintViolation::getMessage)
                .containsExactly("kelp.metadata.url must be a JDBC url (jdbc:postgresql://host:port/db)");
        }
        assertThatThrownBy(() -> run(Map.of("kelp.metadata.url", "postgres://db:5432/kelp")))
            .as("the agent does not start on it").hasStackTraceContaining("Invalid JDBC URL [postgres://db:5432/kelp]");
    }

    @Test
    void aProbeIntervalMustBePositive() {
        assertThatThrownBy(() -> new MetadataConfig(null, null, null, Duration.ZERO, 100000L))
            .hasMessageContaining("kelp.metadata.probe-interval must be positive");
    }

    @Test
    void theAgentsMetadataStoreIsTheJournalingOne() {
        List<AgentEvent> events = new ArrayList<>();
        try (var context = ApplicationContext.builder()
            .properties(Map.of("kelp.fallback.dir", fallbackDir.toString()))
            .environments("test")
            .build()) {
            context.registerSingleton(EventSink.class, (EventSink) events::add);
            context.start();

            assertThat(context.getBean(MetadataStore.class)).isInstanceOf(JournalingMetadataStore.class);
            assertThat(fallbackDir.resolve("metadata-journal")).isDirectory();
        }
    }
}
