package dev.kelp.agent.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.agent.metadata.MetadataStore.PutOutcome;
import dev.kelp.agent.object.ObjectRecord;
import io.micronaut.context.ApplicationContext;
import io.micronaut.jdbc.DataSourceResolver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The metadata contract on the embedded default: H2 in a file on the fallback volume. */
class JdbcMetadataStoreTest extends MetadataStoreContract {

    @TempDir
    static Path fallbackDir;

    static ApplicationContext context;

    @BeforeAll
    static void startEmbedded() {
        context = ApplicationContext.run(Map.of("kelp.fallback.dir", fallbackDir.toString()), "test");
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

    @Test
    void withNoUrlConfiguredTheMetadataLivesInAnH2FileOnTheFallbackVolume() throws Exception {
        store().put(record("k", "v"));

        try (var c = dataSource().getConnection()) {
            assertThat(c.getMetaData().getDatabaseProductName()).isEqualTo("H2");
            assertThat(c.getMetaData().getURL()).startsWith("jdbc:h2:file:" + fallbackDir + "/metadata/kelp");
        }
        assertThat(Files.exists(fallbackDir.resolve("metadata/kelp.mv.db"))).isTrue();
    }

    @Test
    void aFirstAttemptSkipsTheRepeatCheckAndALaterPutOfTheSameVersionIsStillANoOp() throws Exception {
        var store = context.getBean(JdbcMetadataStore.class);
        // With its version id given, as the agent gives it before the put (storable() would give a new one).
        ObjectRecord unversioned = record("first-attempt", "once");
        ObjectRecord first = new ObjectRecord(unversioned.bucket(), unversioned.key(), 0, unversioned.hash(), unversioned.size(),
            unversioned.contentType(), unversioned.userMetadata(), unversioned.createdAt(), dev.kelp.agent.versions.VersionIds.next());

        PutOutcome stored = store.putNew(first, WriteLimits.NONE);
        PutOutcome repeated = store.put(first);

        assertThat(repeated.stored()).isEqualTo(stored.stored());
        assertThat(repeated.blobCreated()).isFalse();
        assertThat(count("SELECT COUNT(*) FROM object_versions WHERE bucket = ? AND object_key = 'first-attempt'", bucket)).isEqualTo(1);
        assertThat(refCount(hashOf("once"))).isEqualTo(1);
    }
}
