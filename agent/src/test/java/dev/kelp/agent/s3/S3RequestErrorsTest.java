package dev.kelp.agent.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kelp.testkit.FreePorts;
import io.micronaut.context.ApplicationContext;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The S3 error codes of docs/s3.md that S3SdkIT's walk does not reach, each provoked on the
 * embedded default and each shown to leave the bucket as it was: MalformedXML for DeleteObjects
 * and CompleteMultipartUpload bodies, InvalidDigest, InvalidRequest, MethodNotAllowed, and
 * XAmzContentSHA256Mismatch for a PutObject body that is not the one signed.
 */
class S3RequestErrorsTest {

    private static final String BUCKET = "errors";
    private static final String KEY_ID = "AKIDKELPERRORS";
    private static final String SECRET = "errors-secret-key";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static ApplicationContext context;
    private static S3Client s3;
    private static String endpoint;

    @BeforeAll
    static void start() throws Exception {
        Path dir = Files.createTempDirectory("kelp-s3-errors");
        int port = FreePorts.take();
        endpoint = "http://127.0.0.1:" + port;
        context = ApplicationContext.run(Map.of(
            "kelp.fallback.dir", dir.toString(),
            "kelp.storage.buckets", List.of(BUCKET),
            "kelp.versioning.enabled", true,
            "kelp.s3.port", port,
            "kelp.s3.access-key-id", KEY_ID,
            "kelp.s3.secret-access-key", SECRET));
        s3 = S3SdkClients.of(endpoint, KEY_ID, SECRET);
        s3.putObject(b -> b.bucket(BUCKET).key("keep/a.txt"), RequestBody.fromString("a"));
        s3.putObject(b -> b.bucket(BUCKET).key("keep/b.txt"), RequestBody.fromString("b"));
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

    private static HttpResponse<String> send(String method, String pathAndQuery, String body) throws Exception {
        return HTTP.send(SignedRequests.signed(endpoint, KEY_ID, SECRET, method, pathAndQuery, body), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertCode(HttpResponse<String> response, int status, String code) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.body()).contains("<Code>" + code + "</Code>");
    }

    private static void assertUnchanged() {
        assertThat(s3.listObjectsV2(b -> b.bucket(BUCKET).prefix("keep/")).contents()).extracting(S3Object::key)
            .containsExactly("keep/a.txt", "keep/b.txt");
        assertThat(s3.getObjectAsBytes(b -> b.bucket(BUCKET).key("keep/a.txt")).asUtf8String()).isEqualTo("a");
        assertThat(s3.listObjectVersions(b -> b.bucket(BUCKET).prefix("keep/")).versions()).hasSize(2);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"not xml", "<Delete><Object><Key>keep/a.txt</Key></Object>", "<Delete></Delete>", "<Other/>",
        "<Delete><Object><VersionId>x</VersionId></Object></Delete>"})
    void deleteObjectsWithABrokenBodyIsMalformedXmlAndDeletesNothing(String body) throws Exception {
        assertCode(send("POST", "/" + BUCKET + "?delete", body), 400, "MalformedXML");
        assertUnchanged();
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"not xml", "<CompleteMultipartUpload/>", "<CompleteMultipartUpload><Part><PartNumber>one</PartNumber>"
        + "<ETag>x</ETag></Part></CompleteMultipartUpload>", "<Other><Part/></Other>"})
    void completeWithABrokenBodyIsMalformedXmlAndLeavesTheUploadOpen(String body) throws Exception {
        String key = "keep/upload.bin";
        String uploadId = s3.createMultipartUpload(b -> b.bucket(BUCKET).key(key)).uploadId();
        s3.uploadPart(b -> b.bucket(BUCKET).key(key).uploadId(uploadId).partNumber(1), RequestBody.fromString("part"));

        assertCode(send("POST", "/" + BUCKET + "/" + key + "?uploadId=" + uploadId, body), 400, "MalformedXML");

        assertThat(s3.listParts(b -> b.bucket(BUCKET).key(key).uploadId(uploadId)).parts()).hasSize(1);
        assertUnchanged();
        s3.abortMultipartUpload(b -> b.bucket(BUCKET).key(key).uploadId(uploadId));
    }

    @Test
    void aBodyThatIsNotTheOneSignedIsXAmzContentSha256MismatchAndStoresNothing() throws Exception {
        var changed = HTTP.send(SignedRequests.signedFor(endpoint, KEY_ID, SECRET, "PUT", "/" + BUCKET + "/keep/c.txt",
            "the words signed", "the words sent!!"), HttpResponse.BodyHandlers.ofString());
        assertCode(changed, 400, "XAmzContentSHA256Mismatch");
        assertUnchanged();

        var honest = HTTP.send(SignedRequests.signedFor(endpoint, KEY_ID, SECRET, "PUT", "/" + BUCKET + "/other/c.txt",
            "the words signed", "the words signed"), HttpResponse.BodyHandlers.ofString());
        assertThat(honest.statusCode()).as(honest.body()).isEqualTo(200);
        assertThat(s3.getObjectAsBytes(b -> b.bucket(BUCKET).key("other/c.txt")).asUtf8String()).isEqualTo("the words signed");
    }

    @Test
    void aContentMd5ThatIsNoMd5IsInvalidDigest() {
        assertThatThrownBy(() -> s3.putObject(b -> b.bucket(BUCKET).key("keep/a.txt").contentMD5("bm90LW1kNQ=="), RequestBody.fromString("z")))
            .isInstanceOfSatisfying(S3Exception.class, e -> {
                assertThat(e.statusCode()).isEqualTo(400);
                assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidDigest");
            });
        assertUnchanged();
    }

    @Test
    void copyingAnObjectOntoItselfWithoutReplaceIsInvalidRequest() {
        assertThatThrownBy(() -> s3.copyObject(b -> b.sourceBucket(BUCKET).sourceKey("keep/a.txt").destinationBucket(BUCKET)
            .destinationKey("keep/a.txt"))).isInstanceOfSatisfying(S3Exception.class, e -> {
                assertThat(e.statusCode()).isEqualTo(400);
                assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidRequest");
            });
        assertUnchanged();
    }

    @Test
    void aMethodAResourceDoesNotTakeIsMethodNotAllowed() throws Exception {
        assertCode(send("POST", "/" + BUCKET, ""), 405, "MethodNotAllowed");
        assertCode(send("POST", "/" + BUCKET + "/keep/a.txt", ""), 405, "MethodNotAllowed");
        assertCode(send("POST", "/" + BUCKET + "/keep/a.txt?tagging", ""), 405, "MethodNotAllowed");
        assertCode(send("DELETE", "/", ""), 405, "MethodNotAllowed");
        assertUnchanged();
    }

    @Test
    void readingADeleteMarkerByItsVersionIdIsMethodNotAllowed() {
        s3.putObject(b -> b.bucket(BUCKET).key("gone/x.txt"), RequestBody.fromString("x"));
        String marker = s3.deleteObject(b -> b.bucket(BUCKET).key("gone/x.txt")).versionId();
        assertThatThrownBy(() -> s3.getObject(b -> b.bucket(BUCKET).key("gone/x.txt").versionId(marker)))
            .isInstanceOfSatisfying(S3Exception.class, e -> {
                assertThat(e.statusCode()).isEqualTo(405);
                assertThat(e.awsErrorDetails().errorCode()).isEqualTo("MethodNotAllowed");
            });
        assertUnchanged();
    }
}
