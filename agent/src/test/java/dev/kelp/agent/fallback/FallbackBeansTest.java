package dev.kelp.agent.fallback;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.agent.blob.BlobStaging;
import dev.kelp.agent.blob.BlobStore;
import dev.kelp.agent.blob.local.LocalBlobStore;
import dev.kelp.agent.sync.FileSyncQueue;
import dev.kelp.agent.sync.SyncQueue;
import io.micronaut.context.ApplicationContext;
import io.micronaut.inject.qualifiers.Qualifiers;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FallbackBeansTest {

    @TempDir
    Path dir;

    @Test
    void theContextWiresStagingLocalStoreAndQueueOntoTheConfiguredVolume() {
        try (var context = ApplicationContext.run(Map.of("kelp.fallback.dir", dir.toString()))) {
            assertThat(context.getBean(BlobStore.class, Qualifiers.byName("local"))).isInstanceOf(LocalBlobStore.class);
            assertThat(context.getBean(SyncQueue.class)).isInstanceOf(FileSyncQueue.class);
            context.getBean(BlobStaging.class);

            assertThat(dir.resolve("staging")).isDirectory();
            assertThat(dir.resolve("blobs")).isDirectory();
            assertThat(dir.resolve("sync-queue")).isDirectory();
        }
    }
}
