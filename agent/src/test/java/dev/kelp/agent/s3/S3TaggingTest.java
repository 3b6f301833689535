package dev.kelp.agent.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kelp.testkit.FreePorts;
import io.micronaut.context.ApplicationContext;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.Tag;
import software.amazon.awssdk.services.s3.model.TaggingDirective;

/**
 * S3's object tagging and multipart ETags through aws-sdk-java-v2, on the agent's embedded
 * default (H2, the fallback volume) with versions on: every tagging call, the tagging headers of
 * PutObject, CopyObject and CreateMultipartUpload, and every InvalidTag and MalformedXML case,
 * each shown to change nothing. The same through PostgreSQL's outage: {@code S3TaggingOutageIT}.
 */
class S3TaggingTest {

    private static final String BUCKET = "tagged";
    private static final String KEY_ID = "AKIDKELPTAGGING";
    private static final String SECRET = "tagging-secret-key";
    private static ApplicationContext context;
    private static S3Client s3;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        Path dir = Files.createTempDirectory("kelp-s3-tagging");
        port = FreePorts.take();
        context = ApplicationContext.run(Map.of(
            "kelp.fallback.dir", dir.toString(),
            "kelp.storage.buckets", List.of(BUCKET),
            "kelp.versioning.enabled", true,
            "kelp.versioning.keep-last", 5,
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
    }

    private static Tag tag(String key, String value) {
        return Tag.builder().key(key).value(value).build();
    }

    private static List<Tag> tagsOf(String key, String versionId) {
        return s3.getObjectTagging(b -> b.bucket(BUCKET).key(key).versionId(versionId)).tagSet();
    }

    @Test
    void putGetAndDeleteObjectTaggingOfTheCurrentVersion() {
        String key = "calls/current.txt";
        var put = s3.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromString("content"));
        assertThat(tagsOf(key, null)).isEmpty();
        assertThat(s3.headObject(b -> b.bucket(BUCKET).key(key)).tagCount()).isNull();

        var tagged = s3.putObjectTagging(b -> b.bucket(BUCKET).key(key).tagging(t -> t.tagSet(tag("project", "kelp"), tag("tier", "hot"))));
        assertThat(tagged.versionId()).isEqualTo(put.versionId());
        assertThat(tagsOf(key, null)).containsExactly(tag("project", "kelp"), tag("tier", "hot"));
        var get = s3.getObject(b -> b.bucket(BUCKET).key(key));
        assertThat(get.response().tagCount()).isEqualTo(2);
        assertThat(s3.headObject(b -> b.bucket(BUCKET).key(key)).tagCount()).isEqualTo(2);
        // Tagging is not a write of the object: same version, same ETag, no new version listed.
        assertThat(get.response().versionId()).isEqualTo(put.versionId());
        assertThat(get.response().eTag()).isEqualTo(put.eTag());
        assertThat(s3.listObjectVersions(b -> b.bucket(BUCKET).prefix(key)).versions()).hasSize(1);

        // PutObjectTagging replaces the whole set.
        s3.putObjectTagging(b -> b.bucket(BUCKET).key(key).tagging(t -> t.tagSet(tag("tier", "cold"))));
        assertThat(tagsOf(key, null)).containsExactly(tag("tier", "cold"));

        var deleted = s3.deleteObjectTagging(b -> b.bucket(BUCKET).key(key));
        assertThat(deleted.versionId()).isEqualTo(put.versionId());
        assertThat(tagsOf(key, null)).isEmpty();
        assertThat(s3.headObject(b -> b.bucket(BUCKET).key(key)).tagCount()).isNull();
    }

    @Test
    void taggingOfOneVersionLeavesTheOthersAlone() {
        String key = "calls/versions.txt";
        String v1 = s3.putObject(b -> b.bucket(BUCKET).key(key).tagging("gen=1"), RequestBody.fromString("one")).versionId();
        String v2 = s3.putObject(b -> b.bucket(BUCKET).key(key).tagging("gen=2"), RequestBody.fromString("two")).versionId();

        s3.putObjectTagging(b -> b.bucket(BUCKET).key(key).versionId(v1).tagging(t -> t.tagSet(tag("gen", "1"), tag("old", "yes"))));
        assertThat(tagsOf(key, v1)).containsExactly(tag("gen", "1"), tag("old", "yes"));
        assertThat(tagsOf(key, v2)).containsExactly(tag("gen", "2"));
        assertThat(tagsOf(key, null)).containsExactly(tag("gen", "2"));
        assertThat(s3.headObject(b -> b.bucket(BUCKET).key(key).versionId(v1)).tagCount()).isEqualTo(2);

        s3.deleteObjectTagging(b -> b.bucket(BUCKET).key(key).versionId(v2));
        assertThat(tagsOf(key, v2)).isEmpty();
        assertThat(tagsOf(key, v1)).hasSize(2);

        // Missing things are the codes S3 answers, and tag nothing.
        assertError(() -> s3.getObjectTagging(b -> b.bucket(BUCKET).key("calls/none")), 404, "NoSuchKey");
        assertError(() -> s3.putObjectTagging(b -> b.bucket(BUCKET).key("calls/none").tagging(t -> t.tagSet(tag("a", "b")))), 404, "NoSuchKey");
        assertError(() -> s3.deleteObjectTagging(b -> b.bucket(BUCKET).key("calls/none")), 404, "NoSuchKey");
        String unknown = "01900000-0000-7000-8000-000000000000";
        assertError(() -> s3.putObjectTagging(b -> b.bucket(BUCKET).key(key).versionId(unknown).tagging(t -> t.tagSet(tag("a", "b")))),
            404, "NoSuchVersion");
        assertError(() -> s3.getObjectTagging(b -> b.bucket("not-configured").key(key)), 404, "NoSuchBucket");
        assertThat(tagsOf(key, v1)).containsExactly(tag("gen", "1"), tag("old", "yes"));

        // A delete marker has no tags to set.
        String marker = s3.deleteObject(b -> b.bucket(BUCKET).key(key)).versionId();
        assertError(() -> s3.putObjectTagging(b -> b.bucket(BUCKET).key(key).versionId(marker).tagging(t -> t.tagSet(tag("a", "b")))),
            405, "MethodNotAllowed");
        assertError(() -> s3.getObjectTagging(b -> b.bucket(BUCKET).key(key)), 404, "NoSuchKey");
    }

    @Test
    void putObjectCopyObjectAndMultipartUploadsCarryTags() throws Exception {
        var put = s3.putObject(b -> b.bucket(BUCKET).key("headers/source").tagging("colour=teal&path=a%2Fb%20c"),
            RequestBody.fromString("source"));
        assertThat(tagsOf("headers/source", null)).containsExactly(tag("colour", "teal"), tag("path", "a/b c"));
        assertThat(put.eTag()).isEqualTo("\"" + md5Hex("source".getBytes()) + "\"");

        // CopyObject: the source's tags by default (COPY), x-amz-tagging's with REPLACE, none with REPLACE alone.
        s3.copyObject(b -> b.sourceBucket(BUCKET).sourceKey("headers/source").destinationBucket(BUCKET).destinationKey("headers/copy"));
        assertThat(tagsOf("headers/copy", null)).containsExactly(tag("colour", "teal"), tag("path", "a/b c"));
        s3.copyObject(b -> b.sourceBucket(BUCKET).sourceKey("headers/source").destinationBucket(BUCKET).destinationKey("headers/copy")
            .taggingDirective(TaggingDirective.REPLACE).tagging("copied=yes"));
        assertThat(tagsOf("headers/copy", null)).containsExactly(tag("copied", "yes"));
        s3.copyObject(b -> b.sourceBucket(BUCKET).sourceKey("headers/source").destinationBucket(BUCKET).destinationKey("headers/copy")
            .taggingDirective(TaggingDirective.REPLACE));
        assertThat(tagsOf("headers/copy", null)).isEmpty();

        // CreateMultipartUpload's tags are the object's once it is complete; its ETag is S3's multipart one.
        String key = "headers/multipart.bin";
        String uploadId = s3.createMultipartUpload(b -> b.bucket(BUCKET).key(key).tagging("made=multipart")).uploadId();
        List<CompletedPart> parts = new ArrayList<>();
        List<String> md5s = new ArrayList<>();
        for (int n = 1; n <= 3; n++) {
            byte[] data = S3SdkIT.partBytes(n, 64 * 1024 + n);
            int number = n;
            var part = s3.uploadPart(b -> b.bucket(BUCKET).key(key).uploadId(uploadId).partNumber(number), RequestBody.fromBytes(data));
            assertThat(part.eTag()).isEqualTo("\"" + md5Hex(data) + "\"");
            md5s.add(md5Hex(data));
            parts.add(CompletedPart.builder().partNumber(n).eTag(part.eTag()).build());
        }
        assertThat(s3.listParts(b -> b.bucket(BUCKET).key(key).uploadId(uploadId)).parts()).extracting(p -> p.eTag())
            .containsExactlyElementsOf(parts.stream().map(CompletedPart::eTag).toList());
        assertError(() -> s3.headObject(b -> b.bucket(BUCKET).key(key)), 404, null);
        var done = s3.completeMultipartUpload(b -> b.bucket(BUCKET).key(key).uploadId(uploadId).multipartUpload(m -> m.parts(parts)));
        String expected = "\"" + S3ETags.multipart(md5s) + "\"";
        assertThat(done.eTag()).isEqualTo(expected).endsWith("-3\"");
        assertThat(s3.headObject(b -> b.bucket(BUCKET).key(key)).eTag()).isEqualTo(expected);
        assertThat(s3.getObject(b -> b.bucket(BUCKET).key(key)).response().eTag()).isEqualTo(expected);
        assertThat(s3.listObjectsV2(b -> b.bucket(BUCKET).prefix(key)).contents()).singleElement()
            .satisfies(o -> assertThat(o.eTag()).isEqualTo(expected));
        assertThat(s3.getObject(b -> b.bucket(BUCKET).key(key).ifMatch(expected)).response().contentLength()).isEqualTo(3 * 64 * 1024 + 6);
        assertThat(status(() -> s3.getObject(b -> b.bucket(BUCKET).key(key).ifNoneMatch(expected)))).isEqualTo(304);
        s3.putObject(b -> b.bucket(BUCKET).key(key).ifMatch(expected).tagging("rewritten=yes"), RequestBody.fromString("single"));
        assertThat(s3.headObject(b -> b.bucket(BUCKET).key(key)).eTag()).isEqualTo("\"" + md5Hex("single".getBytes()) + "\"");
        assertThat(done.versionId()).isNotBlank();
        assertThat(tagsOf(key, done.versionId())).containsExactly(tag("made", "multipart"));
        assertThat(tagsOf(key, null)).containsExactly(tag("rewritten", "yes"));
    }

    /** Each body or header breaks one of S3's rules; the object's tags and content stay as they were. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"eleven tags", "key of 129 characters", "value of 257 characters", "duplicate key", "empty key", "aws: prefix"})
    void invalidTagSetsAreInvalidTagAndChangeNothing(String rule) throws Exception {
        String key = "invalid/" + rule.replace(' ', '-');
        s3.putObject(b -> b.bucket(BUCKET).key(key).tagging("keep=me"), RequestBody.fromString("as it was"));
        List<Tag> tags = switch (rule) {
            case "eleven tags" -> {
                List<Tag> many = new ArrayList<>();
                for (int i = 0; i < 11; i++) {
                    many.add(tag("k" + i, "v"));
                }
                yield many;
            }
            case "key of 129 characters" -> List.of(tag("k".repeat(129), "v"));
            case "value of 257 characters" -> List.of(tag("k", "v".repeat(257)));
            case "duplicate key" -> List.of(tag("same", "1"), tag("same", "2"));
            case "empty key" -> List.of(tag("", "v"));
            default -> List.of(tag("aws:reserved", "v"));
        };
        assertError(() -> s3.putObjectTagging(b -> b.bucket(BUCKET).key(key).tagging(t -> t.tagSet(tags))), 400, "InvalidTag");
        String header = String.join("&", tags.stream().map(t -> t.key() + "=" + t.value()).toList());
        assertError(() -> s3.putObject(b -> b.bucket(BUCKET).key(key).tagging(header), RequestBody.fromString("overwritten")), 400, "InvalidTag");
        assertError(() -> s3.putObject(b -> b.bucket(BUCKET).key(key + ".new").tagging(header), RequestBody.fromString("new")), 400, "InvalidTag");
        assertError(() -> s3.copyObject(b -> b.sourceBucket(BUCKET).sourceKey(key).destinationBucket(BUCKET).destinationKey(key + ".copy")
            .taggingDirective(TaggingDirective.REPLACE).tagging(header)), 400, "InvalidTag");
        assertError(() -> s3.createMultipartUpload(b -> b.bucket(BUCKET).key(key + ".mpu").tagging(header)), 400, "InvalidTag");

        assertThat(tagsOf(key, null)).containsExactly(tag("keep", "me"));
        assertThat(s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(key)).asUtf8String()).isEqualTo("as it was");
        assertThat(s3.listObjectVersions(b -> b.bucket(BUCKET).prefix(key)).versions()).hasSize(1);
        assertThat(s3.listMultipartUploads(b -> b.bucket(BUCKET).prefix(key)).uploads()).isEmpty();
    }

    @Test
    void theLimitsThemselvesAreAccepted() {
        String key = "invalid/at-the-limits";
        s3.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromString("x"));
        List<Tag> ten = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            ten.add(tag("k" + i, ""));
        }
        ten.add(tag("\u00e9".repeat(128), "\u00fc".repeat(256)));
        s3.putObjectTagging(b -> b.bucket(BUCKET).key(key).tagging(t -> t.tagSet(ten)));
        assertThat(tagsOf(key, null)).containsExactlyElementsOf(ten);
    }

    /** Bodies that are not a Tagging document, sent as they are (the SDK would only send well-formed ones). */
    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {
        "not xml at all",
        "<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value></Tag>",
        "<Other><TagSet/></Other>",
        "<Tagging/>",
        "<Tagging><TagSet><Tag><Key>a</Key></Tag></TagSet></Tagging>",
        "<Tagging><TagSet><Tag><Value>b</Value></Tag></TagSet></Tagging>",
        "<Tagging><TagSet><Tag><Key>a</Key><Key>b</Key><Value>c</Value></Tag></TagSet></Tagging>",
        "<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value><Colour>c</Colour></Tag></TagSet></Tagging>",
        "<Tagging><TagSet/><TagSet/></Tagging>",
        ""})
    void malformedTaggingBodiesAreMalformedXmlAndChangeNothing(String body) throws Exception {
        String key = "malformed/object";
        s3.putObject(b -> b.bucket(BUCKET).key(key).tagging("keep=me"), RequestBody.fromString("x"));
        var response = HttpClient.newHttpClient().send(signedPut(key, body), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(response.body()).contains("<Code>MalformedXML</Code>");
        assertThat(tagsOf(key, null)).containsExactly(tag("keep", "me"));
    }

    @Test
    void bucketTaggingStaysNotImplemented() {
        assertError(() -> s3.getBucketTagging(b -> b.bucket(BUCKET)), 501, "NotImplemented");
    }

    /** A PutObjectTagging request with a raw body, signed as the SDK signs (its own signer). */
    private static HttpRequest signedPut(String key, String body) {
        return SignedRequests.signed("http://127.0.0.1:" + port, KEY_ID, SECRET, "PUT", "/" + BUCKET + "/" + key + "?tagging", body);
    }

    private static void assertError(S3SdkIT.ThrowingCall call, int status, String code) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(S3Exception.class, e -> {
            assertThat(e.statusCode()).as(e.getMessage()).isEqualTo(status);
            if (code != null) {
                assertThat(e.awsErrorDetails().errorCode()).as(e.getMessage()).isEqualTo(code);
            }
        });
    }

    private static int status(S3SdkIT.ThrowingCall call) {
        try {
            call.run();
            return 200;
        } catch (S3Exception e) {
            return e.statusCode();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static String md5Hex(byte[] body) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(body));
    }
}
