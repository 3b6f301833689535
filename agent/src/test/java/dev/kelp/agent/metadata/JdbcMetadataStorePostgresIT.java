package dev.kelp.agent.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import io.micronaut.context.ApplicationContext;
import io.micronaut.jdbc.DataSourceResolver;
import java.nio.file.Path;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The metadata contract on the proving ground's PostgreSQL, in a database migrated from nothing. */
class JdbcMetadataStorePostgresIT extends MetadataStoreContract {

    @TempDir
    static Path fallbackDir;

    static TestDatabases postgres;
    static String databaseUrl;
    static ApplicationContext context;

    @BeforeAll
    static void start() throws Exception {
        postgres = TestDatabases.fromEnvironment();
        databaseUrl = postgres.create("contract");
        context = ApplicationContext.run(Map.of(
            "kelp.fallback.dir", fallbackDir.toString(),
            "kelp.metadata.url", databaseUrl,
            "kelp.metadata.username", postgres.user(),
            "kelp.metadata.password", postgres.password()), "test");
    }

    @AfterAll
    static void stop() throws Exception {
        if (context != null) {
            context.close();
        }
        if (databaseUrl != null) {
            postgres.drop(databaseUrl);
        }
    }

    @Override
    protected MetadataStore store() {
        return context.getBean(JdbcMetadataStore.class);
    }

    @Override
    protected DataSource dataSource() {
        return context.getBean(DataSourceResolver.class).resolve(context.getBean(DataSource.class));
    }

    @Test
    void theSchemaIsMigratedOnPostgresWithKeysInByteOrder() throws Exception {
        store().put(record("k", "v"));

        try (var c = dataSource().getConnection(); var st = c.createStatement()) {
            assertThat(c.getMetaData().getDatabaseProductName()).isEqualTo("PostgreSQL");
            try (var rs = st.executeQuery("SELECT collation_name FROM information_schema.columns"
                + " WHERE table_name = 'objects' AND column_name = 'object_key'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("C");
            }
            try (var rs = st.executeQuery("SELECT version FROM flyway_schema_history WHERE success ORDER BY installed_rank DESC LIMIT 1")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).as("the newest migration in db/migration").isEqualTo(newestMigration());
            }
        }
    }

    /** The highest V<n>__ of the agent's migrations, so a new migration does not need this test edited. */
    private static String newestMigration() throws java.io.IOException {
        try (var files = java.nio.file.Files.list(dev.kelp.testkit.ProvingGround.repoRoot().resolve("agent/src/main/resources/db/migration"))) {
            return Integer.toString(files.map(f -> f.getFileName().toString()).filter(n -> n.matches("V\\d+__.*\\.sql"))
                .mapToInt(n -> Integer.parseInt(n.substring(1, n.indexOf("__")))).max().orElseThrow());
        }
    }
}
