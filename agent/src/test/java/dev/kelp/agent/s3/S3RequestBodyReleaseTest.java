package dev.kelp.agent.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kelp.agent.stream.NettyLeakWatch;
import dev.kelp.testkit.FreePorts;
import io.micronaut.context.ApplicationContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.Tag;

/**
 * Every request body the S3 door takes is released, as {@code RequestBodyReleaseTest} shows for the
 * native API: plain and aws-chunked PutObject, a refused one, UploadPart, and the XML bodies of
 * CompleteMultipartUpload, DeleteObjects and PutObjectTagging.
 */
class S3RequestBodyReleaseTest {

    private static final String BUCKET = "released";
    private static final String KEY_ID = "AKIDKELPRELEASE";
    private static final String SECRET = "release-secret-key";
    private static ApplicationContext context;
    private static S3Client s3;
    private static NettyLeakWatch leaks;

    @BeforeAll
    static void start() throws Exception {
        leaks = new NettyLeakWatch();
        Path dir = Files.createTempDirectory("kelp-s3-release");
        int port = FreePorts.take();
        context = ApplicationContext.run(Map.of(
            "kelp.fallback.dir", dir.toString(),
            "kelp.storage.buckets", List.of(BUCKET),
            "kelp.s3.port", port,
            "kelp.s3.access-key-id", KEY_ID,
            "kelp.s3.secret-access-key", SECRET));
        s3 = S3SdkClients.onLoopback(port, KEY_ID, SECRET);
    }

    @AfterAll
    static void stop() {
        if (s3 != null) {
            s3.close();
        }
        if (context != null) {
            context.close();
        }
        leaks.close();
    }

    private static byte[] random(Random random, int size) {
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        return bytes;
    }

    @Test
    void bodiesOfEveryKindAreAllReleased() throws Exception {
        Random random = new Random(3);
        for (int i = 0; i < 200; i++) {
            // Over plain HTTP the SDK streams a PutObject body aws-chunked, each chunk signed.
            s3.putObject(b -> b.bucket(BUCKET).key("small/" + random.nextInt()), RequestBody.fromBytes(random(random, 4096)));
        }
        for (int i = 0; i < 10; i++) {
            s3.putObject(b -> b.bucket(BUCKET).key("large/" + random.nextInt()), RequestBody.fromBytes(random(random, 200_000)));
        }
        for (int i = 0; i < 20; i++) {
            assertThatThrownBy(() -> s3.putObject(b -> b.bucket("nowhere").key("k"), RequestBody.fromBytes(random(random, 4096))))
                .isInstanceOf(NoSuchBucketException.class);
        }
        for (int i = 0; i < 10; i++) {
            String key = "parts/" + i;
            String id = s3.createMultipartUpload(b -> b.bucket(BUCKET).key(key)).uploadId();
            String etag = s3.uploadPart(b -> b.bucket(BUCKET).key(key).uploadId(id).partNumber(1),
                RequestBody.fromBytes(random(random, 4096))).eTag();
            s3.completeMultipartUpload(b -> b.bucket(BUCKET).key(key).uploadId(id)
                .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(1).eTag(etag).build())));
            s3.putObjectTagging(b -> b.bucket(BUCKET).key(key).tagging(t -> t.tagSet(Tag.builder().key("n").value("" + key.length()).build())));
        }
        var deleted = s3.deleteObjects(b -> b.bucket(BUCKET).delete(d -> d.objects(
            ObjectIdentifier.builder().key("parts/0").build(), ObjectIdentifier.builder().key("parts/1").build())));
        assertThat(deleted.deleted()).hasSize(2);

        leaks.assertNoLeaks(() -> s3.putObject(b -> b.bucket(BUCKET).key("after/" + random.nextInt()),
            RequestBody.fromBytes(random(random, 4096))));
    }
}
