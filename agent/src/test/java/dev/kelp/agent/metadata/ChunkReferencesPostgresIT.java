package dev.kelp.agent.metadata;

import io.micronaut.context.ApplicationContext;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** {@link ChunkReferencesContract} on the proving ground's PostgreSQL, in a database of its own. */
class ChunkReferencesPostgresIT extends ChunkReferencesContract {

    @TempDir
    static Path fallbackDir;
    static TestDatabases postgres;
    static String databaseUrl;
    static ApplicationContext context;

    @BeforeAll
    static void start() throws Exception {
        postgres = TestDatabases.fromEnvironment();
        databaseUrl = postgres.create("chunkrefs");
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
    protected ChunkReferences references() {
        return context.getBean(ChunkReferences.class);
    }

    @Override
    protected MetadataDatabase database() {
        return context.getBean(MetadataDatabase.class);
    }
}
