package dev.kelp.agent.object;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.agent.blob.BlobStore;
import dev.kelp.agent.provingground.SeaweedFsClients;
import dev.kelp.testkit.ProvingGround;
import io.micronaut.context.ApplicationContext;
import io.micronaut.inject.qualifiers.Qualifiers;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * Blobs nothing refers to any more lose their bytes, on the real SeaweedFS and PostgreSQL:
 * overwritten and deleted content goes, content another key still shares stays, and content
 * written again after it went is stored again.
 */
class BlobReclaimerIT {

    private static final String BUCKET = "reclaim-" + Long.toString(System.currentTimeMillis(), 36);
    private static ApplicationContext context;
    private static ObjectService objects;
    private static BlobReclaimer reclaimer;
    private static BlobStore local;
    private static S3Client seaweedfs;

    @BeforeAll
    static void start() throws Exception {
        Path dir = Files.createTempDirectory("kelp-reclaim-it");
        context = ApplicationContext.run(Map.ofEntries(
            Map.entry("kelp.fallback.dir", dir.toString()),
            Map.entry("kelp.storage.buckets", List.of(BUCKET)),
            Map.entry("kelp.seaweedfs.endpoint", ProvingGround.require("KELP_S3_ENDPOINT")),
            Map.entry("kelp.seaweedfs.region", ProvingGround.require("KELP_S3_REGION")),
            Map.entry("kelp.seaweedfs.access-key", ProvingGround.require("KELP_S3_ACCESS_KEY")),
            Map.entry("kelp.seaweedfs.secret-key", ProvingGround.require("KELP_S3_SECRET_KEY")),
            Map.entry("kelp.metadata.url", ProvingGround.require("KELP_PG_URL")),
            Map.entry("kelp.metadata.username", ProvingGround.require("KELP_PG_USER")),
            Map.entry("kelp.metadata.password", ProvingGround.require("KELP_PG_PASSWORD")),
            // Reclaim at once, and only when the test says so.
            Map.entry("kelp.reclaim.after", "0s"),
            Map.entry("kelp.reclaim.interval", "1h")));
        objects = context.getBean(ObjectService.class);
        reclaimer = context.getBean(BlobReclaimer.class);
        local = context.getBean(BlobStore.class, Qualifiers.byName("local"));
        seaweedfs = SeaweedFsClients.direct();
    }

    @AfterAll
    static void stop() {
        if (context != null) {
            context.close();
        }
        if (seaweedfs != null) {
            seaweedfs.close();
        }
    }

    @Test
    void bytesNothingReferencesGoAndSharedOrRewrittenContentStays() throws Exception {
        var first = put("cards/a", "first version of a");
        var second = put("cards/a", "second version of a");
        var shared = put("cards/b", "shared by b and c");
        put("cards/c", "shared by b and c");
        var gone = put("cards/d", "d, deleted");
        objects.delete(BUCKET, "cards/b");
        objects.delete(BUCKET, "cards/d");
        assertThat(onSeaweedFs(first.hash())).as("stored before the reclaim").isTrue();

        int reclaimed = reclaimer.reclaimNow();

        assertThat(reclaimed).isGreaterThanOrEqualTo(2);
        assertThat(onSeaweedFs(first.hash())).as("overwritten content is gone from SeaweedFS").isFalse();
        assertThat(onSeaweedFs(gone.hash())).as("deleted content is gone from SeaweedFS").isFalse();
        assertThat(local.exists(BUCKET, first.hash())).isFalse();
        assertThat(onSeaweedFs(second.hash())).as("the current content stays").isTrue();
        assertThat(onSeaweedFs(shared.hash())).as("content c still shares stays").isTrue();
        assertThat(read("cards/a")).isEqualTo("second version of a");
        assertThat(read("cards/c")).isEqualTo("shared by b and c");

        var again = put("cards/e", "first version of a");
        assertThat(again.hash()).isEqualTo(first.hash());
        assertThat(onSeaweedFs(first.hash())).as("content written again after its reclaim is stored again").isTrue();
        assertThat(read("cards/e")).isEqualTo("first version of a");
        assertThat(reclaimer.reclaimNow()).as("nothing more to reclaim of this bucket's live content").isGreaterThanOrEqualTo(0);
        assertThat(read("cards/e")).isEqualTo("first version of a");
    }

    private static ObjectRecord put(String key, String content) {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        return objects.put(new PutRequest(BUCKET, key, "text/plain", bytes.length, Map.of(), null, null), new ByteArrayInputStream(bytes));
    }

    private static String read(String key) throws Exception {
        try (var in = objects.open(objects.head(BUCKET, key), 0, -1)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static boolean onSeaweedFs(ContentHash hash) {
        try {
            seaweedfs.headObject(b -> b.bucket(BUCKET).key("blobs/" + hash.shardedPath()));
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw e;
        }
    }
}
