package dev.kelp.agent.metadata;

import io.micronaut.context.ApplicationContext;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** {@link ChunkReferencesContract} on the embedded H2. */
class ChunkReferencesTest extends ChunkReferencesContract {

    @TempDir
    static Path dir;
    static ApplicationContext context;

    @BeforeAll
    static void start() {
        context = ApplicationContext.run(Map.of("kelp.fallback.dir", dir.toString()), "test");
    }

    @AfterAll
    static void stop() {
        context.close();
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
