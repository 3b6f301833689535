package dev.kelp.agent.metadata;

import io.micronaut.context.ApplicationContext;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** {@link ColdRecordLocksContract} on the embedded H2. */
class ColdRecordLocksTest extends ColdRecordLocksContract {

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
    protected TierMetadata tiers() {
        return context.getBean(TierMetadata.class);
    }
}
