package dev.kelp.agent.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kelp.agent.object.ContentHash;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * aws-sdk-java-v2's S3Client, unchanged but for its endpoint, against the packaged agent on
 * the proving ground's real SeaweedFS and PostgreSQL: round trips path style and virtual-host
 * style (small, zero-byte, 100 MiB multipart), listings with delimiters across 1,000+ keys,
 * and every error code provoked on purpose, each leaving the bucket as it was.
 */
class S3SdkIT {

    private static final String BUCKET = "s3sdk-" + Long.toString(System.currentTimeMillis(), 36);
    private static final String EMPTY_BUCKET = BUCKET + "-empty";
    private static S3AgentProcess agent;
    private static S3Client s3;
    private static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws IOException {
        Path work = Files.createTempDirectory("kelp-s3-sdk-it");
        agent = S3AgentProcess.start(work, List.of(BUCKET, EMPTY_BUCKET), Map.of("kelp.storage.max-object-size", "160MiB"));
        s3 = agent.client(true);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (s3 != null) {
            s3.close();
        }
        if (agent != null) {
            agent.close();
        }
    }

    @ParameterizedTest(name = "path style: {0}")
    @ValueSource(booleans = {true, false})
    void smallAndEmptyObjectsRoundTripWithMetadata(boolean pathStyle) throws Exception {
        try (S3Client client = agent.client(pathStyle)) {
            String key = "round/" + pathStyle + "/photo é+1.txt";
            byte[] body = "hello from the sdk".getBytes(StandardCharsets.UTF_8);
            var put = client.putObject(b -> b.bucket(BUCKET).key(key).contentType("text/plain").metadata(Map.of("owner", "ada"))
                .contentDisposition("attachment; filename=\"photo.txt\"").cacheControl("max-age=60"), RequestBody.fromBytes(body));
            assertThat(put.eTag()).isEqualTo("\"" + md5Hex(body) + "\"");

            ResponseInputStream<GetObjectResponse> got = client.getObject(b -> b.bucket(BUCKET).key(key));
            assertThat(got.readAllBytes()).isEqualTo(body);
            assertThat(got.response().contentType()).isEqualTo("text/plain");
            assertThat(got.response().metadata()).containsExactly(Map.entry("owner", "ada"));
            assertThat(got.response().eTag()).isEqualTo(put.eTag());
            assertThat(got.response().contentDisposition()).isEqualTo("attachment; filename=\"photo.txt\"");
            assertThat(got.response().cacheControl()).isEqualTo("max-age=60");
            // aws-chunked framed the upload; it is not an encoding of the object.
            assertThat(got.response().contentEncoding()).isNull();

            var head = client.headObject(b -> b.bucket(BUCKET).key(key));
            assertThat(head.contentLength()).isEqualTo(body.length);
            assertThat(head.eTag()).isEqualTo(put.eTag());

            var range = client.getObject(b -> b.bucket(BUCKET).key(key).range("bytes=6-9"));
            assertThat(new String(range.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("from");
            assertThat(range.response().contentRange()).isEqualTo("bytes 6-9/" + body.length);

            String empty = "round/" + pathStyle + "/empty";
            client.putObject(b -> b.bucket(BUCKET).key(empty), RequestBody.empty());
            var gotEmpty = client.getObject(b -> b.bucket(BUCKET).key(empty));
            assertThat(gotEmpty.readAllBytes()).isEmpty();
            assertThat(gotEmpty.response().eTag()).isEqualTo("\"d41d8cd98f00b204e9800998ecf8427e\"");

            // Conditional reads.
            assertThat(status(() -> client.getObject(b -> b.bucket(BUCKET).key(key).ifNoneMatch(put.eTag())))).isEqualTo(304);
            assertThat(client.getObject(b -> b.bucket(BUCKET).key(key).ifMatch(put.eTag())).readAllBytes()).isEqualTo(body);
            assertError(() -> client.getObject(b -> b.bucket(BUCKET).key(key).ifMatch("\"0123\"")), 412, "PreconditionFailed");
            assertError(() -> client.getObject(b -> b.bucket(BUCKET).key(key).ifUnmodifiedSince(Instant.now().minusSeconds(3600))),
                412, "PreconditionFailed");
            assertThat(status(() -> client.getObject(b -> b.bucket(BUCKET).key(key).ifModifiedSince(Instant.now().plusSeconds(5))))).isEqualTo(304);

            // Copy, with the metadata copied and then replaced.
            client.copyObject(b -> b.sourceBucket(BUCKET).sourceKey(key).destinationBucket(BUCKET).destinationKey(key + ".copy"));
            var copied = client.headObject(b -> b.bucket(BUCKET).key(key + ".copy"));
            assertThat(copied.eTag()).isEqualTo(put.eTag());
            assertThat(copied.metadata()).containsExactly(Map.entry("owner", "ada"));
            assertThat(copied.cacheControl()).isEqualTo("max-age=60");
            client.copyObject(b -> b.sourceBucket(BUCKET).sourceKey(key).destinationBucket(BUCKET).destinationKey(key + ".copy")
                .metadataDirective(MetadataDirective.REPLACE).metadata(Map.of("owner", "grace")).contentType("text/markdown"));
            var replaced = client.headObject(b -> b.bucket(BUCKET).key(key + ".copy"));
            assertThat(replaced.metadata()).containsExactly(Map.entry("owner", "grace"));
            assertThat(replaced.contentType()).isEqualTo("text/markdown");

            client.deleteObject(b -> b.bucket(BUCKET).key(key + ".copy"));
            assertError(() -> client.headObject(b -> b.bucket(BUCKET).key(key + ".copy")), 404, null);
            // Deleting what is not there succeeds, as in S3.
            client.deleteObject(b -> b.bucket(BUCKET).key(key + ".copy"));
        }
    }

    @Test
    void hundredMebibyteMultipartUploadRoundTripsByteForByte() throws Exception {
        String key = "big/multipart-100MiB.bin";
        int partSize = 20 * 1024 * 1024;
        int parts = 5;
        var upload = s3.createMultipartUpload(b -> b.bucket(BUCKET).key(key).contentType("application/octet-stream"));
        String uploadId = upload.uploadId();
        assertThat(s3.listMultipartUploads(b -> b.bucket(BUCKET)).uploads()).anyMatch(u -> u.uploadId().equals(uploadId));

        MessageDigest whole = MessageDigest.getInstance("SHA-256");
        List<CompletedPart> completed = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<CompletedPart>> futures = new ArrayList<>();
        for (int n = 1; n <= parts; n++) {
            byte[] data = partBytes(n, partSize);
            whole.update(data);
            int number = n;
            futures.add(pool.submit(() -> {
                var part = s3.uploadPart(b -> b.bucket(BUCKET).key(key).uploadId(uploadId).partNumber(number), RequestBody.fromBytes(data));
                // A part's ETag is its MD5, as S3's is (s3cmd checks it).
                assertThat(part.eTag()).isEqualTo("\"" + md5Hex(data) + "\"");
                return CompletedPart.builder().partNumber(number).eTag(part.eTag()).build();
            }));
        }
        for (Future<CompletedPart> f : futures) {
            completed.add(f.get());
        }
        pool.shutdown();
        assertThat(s3.listParts(b -> b.bucket(BUCKET).key(key).uploadId(uploadId)).parts()).hasSize(parts)
            .allMatch(p -> p.size() == partSize)
            .extracting(p -> p.eTag()).containsExactlyElementsOf(completed.stream().map(CompletedPart::eTag).toList());

        // Refusals leave the upload as it was.
        assertError(() -> s3.completeMultipartUpload(b -> b.bucket(BUCKET).key(key).uploadId(uploadId)
            .multipartUpload(m -> m.parts(completed.get(1), completed.get(0)))), 400, "InvalidPartOrder");
        assertError(() -> s3.completeMultipartUpload(b -> b.bucket(BUCKET).key(key).uploadId(uploadId)
            .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(1).eTag("\"00ff\"").build()))), 400, "InvalidPart");
        assertError(() -> s3.headObject(b -> b.bucket(BUCKET).key(key)), 404, null);

        var done = s3.completeMultipartUpload(b -> b.bucket(BUCKET).key(key).uploadId(uploadId).multipartUpload(m -> m.parts(completed)));
        assertThat(done.key()).isEqualTo(key);
        // S3's multipart ETag, the MD5 of the parts' MD5s and their count, wherever the object is shown.
        String multipartETag = "\"" + S3ETags.multipart(completed.stream().map(p -> p.eTag().replace("\"", "")).toList()) + "\"";
        assertThat(done.eTag()).isEqualTo(multipartETag).endsWith("-" + parts + "\"");
        var head = s3.headObject(b -> b.bucket(BUCKET).key(key));
        assertThat(head.contentLength()).isEqualTo((long) partSize * parts);
        assertThat(head.eTag()).isEqualTo(multipartETag);
        assertThat(s3.listObjectsV2(b -> b.bucket(BUCKET).prefix(key)).contents()).singleElement()
            .satisfies(o -> assertThat(o.eTag()).isEqualTo(multipartETag));
        assertThat(status(() -> s3.headObject(b -> b.bucket(BUCKET).key(key).ifNoneMatch(multipartETag)))).isEqualTo(304);
        MessageDigest read = MessageDigest.getInstance("SHA-256");
        try (InputStream in = s3.getObject(b -> b.bucket(BUCKET).key(key))) {
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) > 0) {
                read.update(buffer, 0, n);
            }
        }
        assertThat(read.digest()).isEqualTo(whole.digest());
        assertError(() -> s3.uploadPart(b -> b.bucket(BUCKET).key(key).uploadId(uploadId).partNumber(1), RequestBody.fromString("late")),
            404, "NoSuchUpload");

        // Abort frees an upload; using it afterwards is NoSuchUpload.
        String other = s3.createMultipartUpload(b -> b.bucket(BUCKET).key("big/aborted")).uploadId();
        s3.uploadPart(b -> b.bucket(BUCKET).key("big/aborted").uploadId(other).partNumber(1), RequestBody.fromString("x"));
        s3.abortMultipartUpload(b -> b.bucket(BUCKET).key("big/aborted").uploadId(other));
        assertError(() -> s3.listParts(b -> b.bucket(BUCKET).key("big/aborted").uploadId(other)), 404, "NoSuchUpload");
        assertError(() -> s3.headObject(b -> b.bucket(BUCKET).key("big/aborted")), 404, null);
    }

    @Test
    void listingsWithDelimiterAcrossMoreThanAThousandKeys() throws Exception {
        String root = "tree/";
        TreeSet<String> keys = new TreeSet<>();
        for (int d = 0; d < 20; d++) {
            for (int f = 0; f < 50; f++) {
                keys.add(root + "dir-%02d/file-%04d".formatted(d, f));
            }
        }
        for (int t = 0; t < 100; t++) {
            keys.add(root + "top-%04d".formatted(t));
        }
        keys.add(root + "odd name with spaces+plus&amp;<tag>.txt");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> writes = new ArrayList<>();
        for (String key : keys) {
            writes.add(pool.submit(() -> s3.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromString(key))));
        }
        for (Future<?> w : writes) {
            w.get();
        }
        pool.shutdown();

        // Everything, in key order, across pages of the SDK's paginator (continuation tokens).
        List<String> all = s3.listObjectsV2Paginator(b -> b.bucket(BUCKET).prefix(root).maxKeys(400)).contents().stream()
            .map(S3Object::key).toList();
        assertThat(all).containsExactlyElementsOf(keys);

        // Rolled up by '/', in small pages: the top-level keys and one prefix per directory.
        List<String> contents = new ArrayList<>();
        List<String> prefixes = new ArrayList<>();
        int pages = 0;
        for (ListObjectsV2Response page : s3.listObjectsV2Paginator(b -> b.bucket(BUCKET).prefix(root).delimiter("/").maxKeys(7))) {
            page.contents().forEach(o -> contents.add(o.key()));
            page.commonPrefixes().stream().map(CommonPrefix::prefix).forEach(prefixes::add);
            assertThat(page.keyCount()).isLessThanOrEqualTo(7);
            pages++;
        }
        assertThat(contents).containsExactlyElementsOf(keys.stream().filter(k -> k.indexOf('/', root.length()) < 0).toList());
        assertThat(prefixes).hasSize(20).allMatch(p -> p.matches("tree/dir-\\d\\d/"));
        assertThat(pages).isEqualTo((101 + 20 + 6) / 7);

        // start-after, and ListObjects v1 with its markers.
        var after = s3.listObjectsV2(b -> b.bucket(BUCKET).prefix(root + "dir-05/").startAfter(root + "dir-05/file-0044"));
        assertThat(after.contents()).extracting(S3Object::key).containsExactly(
            root + "dir-05/file-0045", root + "dir-05/file-0046", root + "dir-05/file-0047", root + "dir-05/file-0048", root + "dir-05/file-0049");
        List<String> v1 = new ArrayList<>();
        String marker = null;
        do {
            String m = marker;
            var page = s3.listObjects(b -> b.bucket(BUCKET).prefix(root).delimiter("/").maxKeys(50).marker(m));
            page.contents().forEach(o -> v1.add(o.key()));
            page.commonPrefixes().forEach(p -> v1.add(p.prefix()));
            marker = page.isTruncated() ? page.nextMarker() : null;
        } while (marker != null);
        assertThat(v1).hasSize(121).doesNotHaveDuplicates();
    }

    @Test
    void bucketOperations() {
        assertThat(s3.listBuckets().buckets()).extracting(b -> b.name()).containsExactly(BUCKET, EMPTY_BUCKET);
        s3.headBucket(b -> b.bucket(BUCKET));
        s3.createBucket(b -> b.bucket(BUCKET));
        assertThat(s3.getBucketLocation(b -> b.bucket(BUCKET)).locationConstraintAsString()).isEmpty();
        assertError(() -> s3.headBucket(b -> b.bucket("not-configured")), 404, null);
        assertError(() -> s3.createBucket(b -> b.bucket("not-configured")), 403, "AccessDenied");
        assertError(() -> s3.listObjectsV2(b -> b.bucket("not-configured")), 404, "NoSuchBucket");
        s3.putObject(b -> b.bucket(BUCKET).key("keep-bucket-busy"), RequestBody.fromString("x"));
        assertError(() -> s3.deleteBucket(b -> b.bucket(BUCKET)), 409, "BucketNotEmpty");
        assertError(() -> s3.deleteBucket(b -> b.bucket(EMPTY_BUCKET)), 403, "AccessDenied");
        s3.headBucket(b -> b.bucket(EMPTY_BUCKET));
    }

    @Test
    void deleteObjectsInOneRequest() {
        for (int i = 0; i < 5; i++) {
            int n = i;
            s3.putObject(b -> b.bucket(BUCKET).key("batch/" + n), RequestBody.fromString("x" + n));
        }
        var result = s3.deleteObjects(b -> b.bucket(BUCKET).delete(d -> d.objects(
            o -> o.key("batch/0"), o -> o.key("batch/1"), o -> o.key("batch/never-was"), o -> o.key("bad//key"))));
        assertThat(result.deleted()).extracting(o -> o.key()).containsExactlyInAnyOrder("batch/0", "batch/1", "batch/never-was");
        assertThat(result.errors()).singleElement().satisfies(e -> {
            assertThat(e.key()).isEqualTo("bad//key");
            assertThat(e.code()).isEqualTo("InvalidArgument");
        });
        var quiet = s3.deleteObjects(b -> b.bucket(BUCKET).delete(d -> d.quiet(true).objects(o -> o.key("batch/2"))));
        assertThat(quiet.deleted()).isEmpty();
        assertThat(s3.listObjectsV2(b -> b.bucket(BUCKET).prefix("batch/")).contents()).extracting(S3Object::key)
            .containsExactly("batch/3", "batch/4");
    }

    @Test
    void everyErrorIsTheCodeAClientExpectsAndChangesNothing() throws Exception {
        String key = "errors/existing.txt";
        var original = s3.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromString("0123456789"));

        assertError(() -> s3.getObject(b -> b.bucket(BUCKET).key("errors/missing")), 404, "NoSuchKey");
        assertError(() -> s3.getObject(b -> b.bucket("not-configured").key("k")), 404, "NoSuchBucket");
        assertError(() -> s3.getObject(b -> b.bucket(BUCKET).key(key).range("bytes=10-")), 416, "InvalidRange");
        assertError(() -> s3.putObject(b -> b.bucket(BUCKET).key(key).ifNoneMatch("*"), RequestBody.fromString("overwrite")),
            412, "PreconditionFailed");
        assertError(() -> s3.putObject(b -> b.bucket(BUCKET).key("errors/bad-md5").contentMD5(Base64.getEncoder().encodeToString(new byte[16])),
            RequestBody.fromString("content")), 400, "BadDigest");
        assertError(() -> s3.putObject(b -> b.bucket(BUCKET).key("errors//double-slash"), RequestBody.fromString("x")), 400, "InvalidArgument");
        long tooBig = 161L * 1024 * 1024;
        assertError(() -> s3.putObject(b -> b.bucket(BUCKET).key("errors/too-big"),
            RequestBody.fromContentProvider(() -> new java.io.ByteArrayInputStream(new byte[0]) {
                // Never read: the agent refuses on the declared length, before the body.
            }, tooBig, "application/octet-stream")), 400, "EntityTooLarge");
        assertError(() -> s3.uploadPart(b -> b.bucket(BUCKET).key(key).uploadId("mpu_00000000000000000000000000000000").partNumber(1),
            RequestBody.fromString("x")), 404, "NoSuchUpload");
        // Asking for what the engine does not do is refused, not silently ignored.
        assertError(() -> s3.putObject(b -> b.bucket(BUCKET).key("errors/encrypted")
            .serverSideEncryption(software.amazon.awssdk.services.s3.model.ServerSideEncryption.AES256), RequestBody.fromString("x")),
            501, "NotImplemented");
        assertError(() -> s3.getObjectAcl(b -> b.bucket(BUCKET).key(key)), 501, "NotImplemented");
        // Tags that break S3's rules, on a write and on the object: nothing is written or changed.
        assertError(() -> s3.putObject(b -> b.bucket(BUCKET).key("errors/tagged").tagging("a=1&a=2"), RequestBody.fromString("x")),
            400, "InvalidTag");
        assertError(() -> s3.putObjectTagging(b -> b.bucket(BUCKET).key(key).tagging(t -> t.tagSet(
            software.amazon.awssdk.services.s3.model.Tag.builder().key("aws:mine").value("v").build()))), 400, "InvalidTag");
        assertThat(s3.getObjectTagging(b -> b.bucket(BUCKET).key(key)).tagSet()).isEmpty();

        try (S3Client wrongSecret = client(S3AgentProcess.ACCESS_KEY_ID, "not-the-secret");
             S3Client wrongKey = client("AKIANOTTHEKEY0000000", S3AgentProcess.SECRET)) {
            assertError(() -> wrongSecret.putObject(b -> b.bucket(BUCKET).key("errors/unsigned-write"), RequestBody.fromString("x")),
                403, "SignatureDoesNotMatch");
            assertError(() -> wrongSecret.getObject(b -> b.bucket(BUCKET).key(key)), 403, "SignatureDoesNotMatch");
            assertError(() -> wrongKey.putObject(b -> b.bucket(BUCKET).key("errors/unsigned-write"), RequestBody.fromString("x")),
                403, "InvalidAccessKeyId");
        }

        // A client whose clock is 20 minutes off (the SDK would correct itself and retry, so sign by hand).
        var skewed = signedRequest(SdkHttpMethod.GET, "/" + BUCKET + "/" + key, Clock.offset(Clock.systemUTC(), Duration.ofMinutes(-20)));
        var skewedResponse = http.send(skewed, HttpResponse.BodyHandlers.ofString());
        assertThat(skewedResponse.statusCode()).isEqualTo(403);
        assertThat(skewedResponse.body()).contains("<Code>RequestTimeTooSkewed</Code>");
        var unsigned = http.send(HttpRequest.newBuilder(URI.create(agent.endpoint() + "/" + BUCKET + "/" + key)).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(unsigned.statusCode()).isEqualTo(403);
        assertThat(unsigned.body()).contains("<Code>AccessDenied</Code>").contains("<RequestId>");
        assertThat(unsigned.headers().firstValue("x-amz-request-id")).isPresent();

        // An expired presigned URL.
        var presigned = agent.presigner().presignGetObject(p -> p.signatureDuration(Duration.ofSeconds(1))
            .getObjectRequest(g -> g.bucket(BUCKET).key(key))).url();
        Thread.sleep(2100);
        var expired = http.send(HttpRequest.newBuilder(presigned.toURI()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(expired.statusCode()).isEqualTo(403);
        assertThat(expired.body()).contains("<Code>AccessDenied</Code>").contains("Request has expired");

        // Nothing changed: the object is as it was, and no refused write left anything behind.
        var now = s3.headObject(b -> b.bucket(BUCKET).key(key));
        assertThat(now.eTag()).isEqualTo(original.eTag());
        assertThat(s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(key)).asUtf8String()).isEqualTo("0123456789");
        assertThat(s3.listObjectsV2(b -> b.bucket(BUCKET).prefix("errors/")).contents()).extracting(S3Object::key).containsExactly(key);
        assertThat(s3.listMultipartUploads(b -> b.bucket(BUCKET).prefix("errors/")).uploads()).isEmpty();
    }

    private static HttpRequest signedRequest(SdkHttpMethod method, String path, Clock clock) {
        var request = SdkHttpRequest.builder().method(method).uri(URI.create(agent.endpoint() + path))
            .putHeader("x-amz-content-sha256", "UNSIGNED-PAYLOAD").build();
        var signed = AwsV4HttpSigner.create().sign(r -> r
            .identity(AwsCredentialsIdentity.create(S3AgentProcess.ACCESS_KEY_ID, S3AgentProcess.SECRET))
            .request(request)
            .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3")
            .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
            .putProperty(AwsV4HttpSigner.DOUBLE_URL_ENCODE, false)
            .putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, false)
            .putProperty(HttpSigner.SIGNING_CLOCK, clock)).request();
        var builder = HttpRequest.newBuilder(signed.getUri());
        signed.headers().forEach((name, values) -> {
            if (!name.equalsIgnoreCase("host")) {
                values.forEach(v -> builder.header(name, v));
            }
        });
        return builder.method(method.name(), HttpRequest.BodyPublishers.noBody()).build();
    }

    private static S3Client client(String keyId, String secret) {
        return S3SdkClients.of(agent.endpoint(), keyId, secret);
    }

    private static void assertError(ThrowingCall call, int status, String code) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(S3Exception.class, e -> {
            assertThat(e.statusCode()).as(e.getMessage()).isEqualTo(status);
            if (code != null) {
                assertThat(e.awsErrorDetails().errorCode()).as(e.getMessage()).isEqualTo(code);
            }
        });
    }

    private static int status(ThrowingCall call) {
        try {
            call.run();
            return 200;
        } catch (S3Exception e) {
            return e.statusCode();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    interface ThrowingCall {
        void run() throws Exception;
    }

    static byte[] partBytes(int part, int size) {
        byte[] data = new byte[size];
        new Random(part).nextBytes(data);
        return data;
    }

    static String md5Hex(byte[] body) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(body));
    }

    static ContentHash sha256(byte[] body) {
        return ContentHash.ofBytes(body);
    }
}
