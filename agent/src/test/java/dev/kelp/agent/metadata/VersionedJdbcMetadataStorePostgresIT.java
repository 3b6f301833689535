package dev.kelp.agent.metadata;

import io.micronaut.context.ApplicationContext;
import io.micronaut.jdbc.DataSourceResolver;
import java.nio.file.Path;
import java.util.HashMap;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The versioned metadata contract on the proving ground's PostgreSQL, in a database migrated from nothing. */
class VersionedJdbcMetadataStorePostgresIT extends VersionedMetadataStoreContract {

    @TempDir
    static Path fallbackDir;

    static TestDatabases postgres;
    static String databaseUrl;
    static ApplicationContext context;

    @BeforeAll
    static void start() throws Exception {
        postgres = TestDatabases.fromEnvironment();
        databaseUrl = postgres.create("versions");
        var properties = new HashMap<String, Object>(versioning());
        properties.put("kelp.fallback.dir", fallbackDir.toString());
        properties.put("kelp.metadata.url", databaseUrl);
        properties.put("kelp.metadata.username", postgres.user());
        properties.put("kelp.metadata.password", postgres.password());
        context = ApplicationContext.run(properties, "test");
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
}
