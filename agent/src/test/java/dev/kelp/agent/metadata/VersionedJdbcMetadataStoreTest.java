package dev.kelp.agent.metadata;

import io.micronaut.context.ApplicationContext;
import io.micronaut.jdbc.DataSourceResolver;
import java.nio.file.Path;
import java.util.HashMap;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The versioned metadata contract on the embedded default (H2). */
class VersionedJdbcMetadataStoreTest extends VersionedMetadataStoreContract {

    @TempDir
    static Path fallbackDir;

    static ApplicationContext context;

    @BeforeAll
    static void startEmbedded() {
        var properties = new HashMap<String, Object>(versioning());
        properties.put("kelp.fallback.dir", fallbackDir.toString());
        context = ApplicationContext.run(properties, "test");
    }

    @AfterAll
    static void stop() {
        context.close();
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
