package dev.kelp.agent.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kelp.testkit.FreePorts;
import io.micronaut.context.ApplicationContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.ObjectVersion;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * S3's versioning calls through aws-sdk-java-v2 onto Kelp's versions, on the agent's embedded
 * default (H2, the fallback volume): no SeaweedFS is needed to check the mapping.
 */
class S3VersioningTest {

    private static final String BUCKET = "notes";
    private static ApplicationContext context;
    private static S3Client s3;

    @BeforeAll
    static void start() throws Exception {
        Path dir = Files.createTempDirectory("kelp-s3-versions");
        int port = FreePorts.take();
        context = ApplicationContext.run(Map.of(
            "kelp.fallback.dir", dir.toString(),
            "kelp.storage.buckets", List.of(BUCKET),
            "kelp.versioning.enabled", true,
            "kelp.versioning.keep-last", 5,
            "kelp.s3.port", port,
            "kelp.s3.access-key-id", "AKIDKELPVERSIONS",
            "kelp.s3.secret-access-key", "versions-secret-key"));
        s3 = S3SdkClients.onLoopback(port, "AKIDKELPVERSIONS", "versions-secret-key");
    }

    @AfterAll
    static void stop() {
        if (s3 != null) {
            s3.close();
        }
        if (context != null) {
            context.close();
        }
    }

    @Test
    void versionsDeleteMarkersAndVersionIdsMapOntoKelpsVersions() {
        assertThat(s3.getBucketVersioning(b -> b.bucket(BUCKET)).status()).isEqualTo(BucketVersioningStatus.ENABLED);

        String v1 = s3.putObject(b -> b.bucket(BUCKET).key("todo.txt"), RequestBody.fromString("milk")).versionId();
        String v2 = s3.putObject(b -> b.bucket(BUCKET).key("todo.txt"), RequestBody.fromString("milk, eggs")).versionId();
        assertThat(v1).isNotBlank().isNotEqualTo(v2);
        assertThat(read("todo.txt", null)).isEqualTo("milk, eggs");
        assertThat(read("todo.txt", v1)).isEqualTo("milk");
        assertThat(s3.headObject(b -> b.bucket(BUCKET).key("todo.txt").versionId(v1)).contentLength()).isEqualTo(4);

        var deleted = s3.deleteObject(b -> b.bucket(BUCKET).key("todo.txt"));
        assertThat(deleted.deleteMarker()).isTrue();
        assertThatThrownBy(() -> read("todo.txt", null)).isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(404));

        var listed = s3.listObjectVersions(b -> b.bucket(BUCKET).prefix("todo"));
        assertThat(listed.deleteMarkers()).singleElement().satisfies(m -> {
            assertThat(m.versionId()).isEqualTo(deleted.versionId());
            assertThat(m.isLatest()).isTrue();
        });
        assertThat(listed.versions()).extracting(ObjectVersion::versionId).containsExactly(v2, v1);
        assertThat(listed.versions()).extracting(ObjectVersion::size).containsExactly(10L, 4L);

        // Deleting the marker undoes the delete, as in S3.
        s3.deleteObject(b -> b.bucket(BUCKET).key("todo.txt").versionId(deleted.versionId()));
        assertThat(read("todo.txt", null)).isEqualTo("milk, eggs");
        // Deleting a version removes it for good.
        s3.deleteObject(b -> b.bucket(BUCKET).key("todo.txt").versionId(v1));
        assertThatThrownBy(() -> read("todo.txt", v1)).isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(404));
    }

    @Test
    void listingPagesWithKeyAndVersionMarkers() {
        for (int i = 0; i < 3; i++) {
            for (String key : List.of("page/a", "page/b")) {
                s3.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromString(key + " " + i));
            }
        }
        var seen = new java.util.ArrayList<String>();
        String keyMarker = null;
        String versionMarker = null;
        boolean truncated;
        do {
            String k = keyMarker;
            String v = versionMarker;
            var page = s3.listObjectVersions(b -> b.bucket(BUCKET).prefix("page/").maxKeys(2).keyMarker(k).versionIdMarker(v));
            page.versions().forEach(o -> seen.add(o.key() + "@" + o.versionId()));
            truncated = page.isTruncated();
            keyMarker = page.nextKeyMarker();
            versionMarker = page.nextVersionIdMarker();
        } while (truncated);

        assertThat(seen).hasSize(6).doesNotHaveDuplicates();
        assertThat(seen.subList(0, 3)).allMatch(s -> s.startsWith("page/a@"));
        assertThat(seen.subList(3, 6)).allMatch(s -> s.startsWith("page/b@"));
    }

    @Test
    void versioningIsThePolicysToSwitch() {
        assertThatThrownBy(() -> s3.putBucketVersioning(b -> b.bucket(BUCKET).versioningConfiguration(c -> c.status(BucketVersioningStatus.SUSPENDED))))
            .isInstanceOfSatisfying(S3Exception.class, e -> {
                assertThat(e.statusCode()).isEqualTo(400);
                assertThat(e.getMessage()).contains("spec.versioning");
            });
        s3.putBucketVersioning(b -> b.bucket(BUCKET).versioningConfiguration(c -> c.status(BucketVersioningStatus.ENABLED)));
        assertThat(s3.getBucketVersioning(b -> b.bucket(BUCKET)).status()).isEqualTo(BucketVersioningStatus.ENABLED);
    }

    private static String read(String key, String versionId) {
        return new String(s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(key).versionId(versionId)).asByteArray(), StandardCharsets.UTF_8);
    }
}
