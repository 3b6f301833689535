package dev.kelp.agent.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kelp.agent.s3.S3Server;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Owners on the embedded default, through both doors (docs/access-control.md): in a private
 * policy an owner cannot see, list, read, delete or overwrite another's objects, and in a shared
 * one it can as far as the sharing mode says; a wrong token, another owner's key and a write over
 * an owner's quota (native PUT, multipart complete, S3 PutObject and CopyObject) are each a clear
 * error that changes nothing. The S3 side goes through aws-sdk-java-v2 with two access keys.
 */
class OwnerAccessApiTest {

    static final String ALICE = "alice-token-0123456789";
    static final String BOB = "bob-token-0123456789ab";
    static final String CAROL = "carol-token-0123456789";
    static final String PRINCIPALS = """
        owners:
          - name: alice
            tokens: [%s]
            s3Keys: [{accessKeyId: AKALICE, secretAccessKey: alice-secret-0123}]
          - name: bob
            tokens: [%s]
            s3Keys: [{accessKeyId: AKBOB, secretAccessKey: bob-secret-0123456}]
            quota: {maxObjects: 3}
          - name: carol
            tokens: [%s]
          - name: dave
            s3Keys: [{accessKeyId: AKDAVE, secretAccessKey: dave-secret-01234}]
        """.formatted(ALICE, BOB, CAROL);
    static final Pattern UPLOAD_ID = Pattern.compile("\"uploadId\":\"(mpu_[0-9a-f]{32})\"");
    static final Pattern ETAG = Pattern.compile("\"etag\":\"\\\\\"([0-9a-f]{64})\\\\\"\"");

    @TempDir
    static Path dir;
    static EmbeddedServer privateAgent;
    static EmbeddedServer readAgent;
    static final HttpClient http = HttpClient.newHttpClient();

    static EmbeddedServer start(Path work, String sharing) throws Exception {
        Files.createDirectories(work);
        Path principals = work.resolve("principals.yaml");
        Files.writeString(principals, PRINCIPALS);
        Map<String, Object> config = new HashMap<>();
        config.put("micronaut.server.port", -1);
        config.put("kelp.fallback.dir", work.resolve("data").toString());
        config.put("kelp.storage.buckets", List.of("shared", "other"));
        config.put("kelp.access.principals-file", principals.toString());
        config.put("kelp.access.sharing", sharing);
        // Everyone but bob (whose file gives him 3 objects) may hold 64 bytes.
        config.put("kelp.access.owner-quota-max-bytes", "64");
        config.put("kelp.s3.port", 0);
        return ApplicationContext.run(EmbeddedServer.class, config);
    }

    @BeforeAll
    static void startAgents() throws Exception {
        privateAgent = start(dir.resolve("private"), "private");
        readAgent = start(dir.resolve("read"), "read");
    }

    @AfterAll
    static void stop() {
        privateAgent.close();
        readAgent.close();
    }

    static HttpResponse<String> send(EmbeddedServer agent, String token, String method, String path, String body, String... headers)
        throws Exception {
        var b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.getPort() + path))
            .method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (body != null && headers.length == 0) {
            b.header("Content-Type", "text/plain");
        }
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), BodyHandlers.ofString());
    }

    static S3Client s3(EmbeddedServer agent, String keyId, String secret) {
        int port = agent.getApplicationContext().getBean(S3Server.class).port();
        return S3Client.builder().region(Region.US_EAST_1).endpointOverride(URI.create("http://127.0.0.1:" + port)).forcePathStyle(true)
            .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(keyId, secret)))
            .httpClient(UrlConnectionHttpClient.create()).build();
    }

    @Test
    void inAPrivatePolicyAnotherOwnersObjectIsAbsentAndCannotBeOverwrittenOrDeleted() throws Exception {
        assertThat(send(privateAgent, ALICE, "PUT", "/v1/objects/shared/p/alice.txt", "alice's").statusCode()).isEqualTo(201);
        assertThat(send(privateAgent, BOB, "PUT", "/v1/objects/shared/p/bob.txt", "bob's").statusCode()).isEqualTo(201);

        // Read, head, list: bob's object is not there for alice.
        var read = send(privateAgent, ALICE, "GET", "/v1/objects/shared/p/bob.txt", null);
        assertThat(read.statusCode()).isEqualTo(404);
        assertThat(read.body()).doesNotContain("bob's");
        assertThat(send(privateAgent, ALICE, "HEAD", "/v1/objects/shared/p/bob.txt", null).statusCode()).isEqualTo(404);
        var list = send(privateAgent, ALICE, "GET", "/v1/objects/shared?prefix=p/", null);
        assertThat(list.body()).contains("p/alice.txt").doesNotContain("p/bob.txt");
        assertThat(send(privateAgent, BOB, "GET", "/v1/objects/shared?prefix=p/", null).body()).contains("p/bob.txt").doesNotContain("alice");

        // Delete: as absent, and bob's object stays.
        assertThat(send(privateAgent, ALICE, "DELETE", "/v1/objects/shared/p/bob.txt", null).statusCode()).isEqualTo(404);
        // Overwrite: refused, nothing changed.
        var overwrite = send(privateAgent, ALICE, "PUT", "/v1/objects/shared/p/bob.txt", "alice was here");
        assertThat(overwrite.statusCode()).isEqualTo(403);
        assertThat(overwrite.body()).contains("AccessDenied").contains("another owner").contains("nothing was changed");
        var bobs = send(privateAgent, BOB, "GET", "/v1/objects/shared/p/bob.txt", null);
        assertThat(bobs.statusCode()).isEqualTo(200);
        assertThat(bobs.body()).isEqualTo("bob's");

        // A signed URL for bob's object cannot be had by alice.
        var sign = send(privateAgent, ALICE, "POST", "/v1/signed-urls", "{\"bucket\":\"shared\",\"key\":\"p/bob.txt\"}",
            "Content-Type", "application/json");
        assertThat(sign.statusCode()).isEqualTo(404);
        var signPut = send(privateAgent, ALICE, "POST", "/v1/signed-urls", "{\"bucket\":\"shared\",\"key\":\"p/bob.txt\",\"method\":\"PUT\"}",
            "Content-Type", "application/json");
        assertThat(signPut.statusCode()).isEqualTo(403);
    }

    @Test
    void inAReadSharedPolicyOwnersReadEachOtherButChangeOnlyTheirOwn() throws Exception {
        assertThat(send(readAgent, BOB, "PUT", "/v1/objects/shared/r/bob.txt", "bob's").statusCode()).isEqualTo(201);
        var read = send(readAgent, ALICE, "GET", "/v1/objects/shared/r/bob.txt", null);
        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(read.body()).isEqualTo("bob's");
        assertThat(send(readAgent, ALICE, "GET", "/v1/objects/shared?prefix=r/", null).body()).contains("r/bob.txt");

        var delete = send(readAgent, ALICE, "DELETE", "/v1/objects/shared/r/bob.txt", null);
        assertThat(delete.statusCode()).isEqualTo(403);
        assertThat(delete.body()).contains("AccessDenied").contains("shared read");
        assertThat(send(readAgent, ALICE, "PUT", "/v1/objects/shared/r/bob.txt", "mine now").statusCode()).isEqualTo(403);
        assertThat(send(readAgent, BOB, "GET", "/v1/objects/shared/r/bob.txt", null).body()).isEqualTo("bob's");
        assertThat(send(readAgent, BOB, "DELETE", "/v1/objects/shared/r/bob.txt", null).statusCode()).isEqualTo(204);
    }

    @Test
    void backupsAndRestoresAreNotAnOwnersToRun() throws Exception {
        var restore = send(privateAgent, ALICE, "POST", "/v1/restores", "{\"schedule\":\"nightly\",\"bucket\":\"shared\"}",
            "Content-Type", "application/json");
        assertThat(restore.statusCode()).isEqualTo(403);
        assertThat(restore.body()).contains("may not run backups or restores");
        assertThat(send(privateAgent, BOB, "POST", "/v1/backups/nightly", null).statusCode()).isEqualTo(403);
    }

    @Test
    void aWrongOrMissingTokenIs401AndChangesNothing() throws Exception {
        var wrong = send(privateAgent, "not-a-token-of-anyone", "PUT", "/v1/objects/shared/t/x.txt", "x");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.body()).contains("token is wrong");
        assertThat(send(privateAgent, null, "GET", "/v1/objects/shared", null).statusCode()).isEqualTo(401);
        assertThat(send(privateAgent, ALICE, "GET", "/v1/objects/shared/t/x.txt", null).statusCode()).isEqualTo(404);
    }

    @Test
    void aPutOverTheOwnersQuotaIs507NamingOwnerAndLimitAndStoresNothing() throws Exception {
        // carol may hold 64 bytes across both buckets.
        assertThat(send(privateAgent, CAROL, "PUT", "/v1/objects/shared/q/a", "x".repeat(40)).statusCode()).isEqualTo(201);
        var over = send(privateAgent, CAROL, "PUT", "/v1/objects/other/q/b", "y".repeat(30));
        assertThat(over.statusCode()).isEqualTo(507);
        assertThat(over.body()).contains("QuotaExceeded").contains("owner carol").contains("limit of 64 bytes");
        assertThat(send(privateAgent, CAROL, "GET", "/v1/objects/other/q/b", null).statusCode()).isEqualTo(404);
        // Replacing her own object counts its new size only: 60 bytes fit.
        assertThat(send(privateAgent, CAROL, "PUT", "/v1/objects/shared/q/a", "z".repeat(60)).statusCode()).isEqualTo(201);
        // Others are not held to carol's usage.
        assertThat(send(privateAgent, ALICE, "PUT", "/v1/objects/other/q/b", "y".repeat(30)).statusCode()).isEqualTo(201);

        // bob's own quota is 3 objects, whatever their size (other tests may have given him some already).
        HttpResponse<String> refused = null;
        for (int i = 0; i < 4 && refused == null; i++) {
            var put = send(privateAgent, BOB, "PUT", "/v1/objects/other/bobq/" + i, "b".repeat(100));
            if (put.statusCode() != 201) {
                refused = put;
            }
        }
        assertThat(refused).as("bob's fourth object").isNotNull();
        assertThat(refused.statusCode()).isEqualTo(507);
        assertThat(refused.body()).contains("owner bob").contains("limit of 3 objects");
        long bobs = 0;
        for (String bucket : List.of("shared", "other")) {
            bobs += Pattern.compile("\"key\":").matcher(send(privateAgent, BOB, "GET", "/v1/objects/" + bucket, null).body()).results().count();
        }
        assertThat(bobs).isEqualTo(3);
    }

    @Test
    void aMultipartUploadCompletingOverTheOwnersQuotaIs507AndStoresNothing() throws Exception {
        // alice may hold 64 bytes; the part alone has 200.
        var init = send(privateAgent, ALICE, "POST", "/v1/uploads/shared/mp/big.bin", null, "Content-Type", "application/octet-stream");
        assertThat(init.statusCode()).as(init.body()).isEqualTo(201);
        Matcher id = UPLOAD_ID.matcher(init.body());
        assertThat(id.find()).isTrue();
        var part = send(privateAgent, ALICE, "PUT", "/v1/uploads/" + id.group(1) + "/parts/1", "m".repeat(200),
            "Content-Type", "application/octet-stream");
        assertThat(part.statusCode()).as(part.body()).isBetween(200, 201);
        Matcher etag = ETAG.matcher(part.body());
        assertThat(etag.find()).isTrue();
        var complete = send(privateAgent, ALICE, "POST", "/v1/uploads/" + id.group(1) + "/complete",
            "[{\"partNumber\":1,\"etag\":\"" + etag.group(1) + "\"}]", "Content-Type", "application/json");
        assertThat(complete.statusCode()).as(complete.body()).isEqualTo(507);
        assertThat(complete.body()).contains("owner alice");
        assertThat(send(privateAgent, ALICE, "GET", "/v1/objects/shared/mp/big.bin", null).statusCode()).isEqualTo(404);
    }

    @Test
    void anotherOwnersMultipartUploadIsAbsentAndCannotBeUsed() throws Exception {
        // In a read-shared policy too: an upload is no object yet, and only its initiator sees it.
        var init = send(readAgent, BOB, "POST", "/v1/uploads/shared/mp/bobs.bin", null, "Content-Type", "application/octet-stream");
        assertThat(init.statusCode()).isEqualTo(201);
        Matcher id = UPLOAD_ID.matcher(init.body());
        assertThat(id.find()).isTrue();
        String upload = id.group(1);

        assertThat(send(readAgent, ALICE, "GET", "/v1/uploads?bucket=shared", null).body()).doesNotContain(upload);
        assertThat(send(readAgent, BOB, "GET", "/v1/uploads?bucket=shared", null).body()).contains(upload);
        assertThat(send(readAgent, ALICE, "GET", "/v1/uploads/" + upload, null).statusCode()).isEqualTo(404);
        assertThat(send(readAgent, ALICE, "PUT", "/v1/uploads/" + upload + "/parts/1", "alice's part",
            "Content-Type", "application/octet-stream").statusCode()).isEqualTo(404);
        assertThat(send(readAgent, ALICE, "DELETE", "/v1/uploads/" + upload, null).statusCode()).isEqualTo(404);
        var bobs = send(readAgent, BOB, "GET", "/v1/uploads/" + upload, null);
        assertThat(bobs.statusCode()).as("still bob's, untouched").isEqualTo(200);
        assertThat(bobs.body()).contains("\"parts\":[]");
        assertThat(send(readAgent, BOB, "DELETE", "/v1/uploads/" + upload, null).statusCode()).isEqualTo(204);
    }

    @Test
    void throughTheS3DoorEachAccessKeyIsItsOwner() throws Exception {
        try (S3Client alice = s3(privateAgent, "AKALICE", "alice-secret-0123"); S3Client bob = s3(privateAgent, "AKBOB", "bob-secret-0123456");
             S3Client dave = s3(privateAgent, "AKDAVE", "dave-secret-01234")) {
            alice.putObject(b -> b.bucket("shared").key("s3/alice.txt"), RequestBody.fromString("from alice"));
            bob.putObject(b -> b.bucket("shared").key("s3/bob.txt"), RequestBody.fromString("from bob"));

            assertThat(alice.listObjectsV2(b -> b.bucket("shared").prefix("s3/")).contents())
                .extracting(o -> o.key()).containsExactly("s3/alice.txt");
            assertS3Error(() -> alice.getObject(b -> b.bucket("shared").key("s3/bob.txt")), 404, "NoSuchKey");
            assertS3Error(() -> alice.headObject(b -> b.bucket("shared").key("s3/bob.txt")), 404, null);
            // Copying bob's object is reading it: absent as a source.
            assertS3Error(() -> alice.copyObject(b -> b.sourceBucket("shared").sourceKey("s3/bob.txt")
                .destinationBucket("shared").destinationKey("s3/stolen.txt")), 404, "NoSuchKey");
            assertS3Error(() -> alice.putObject(b -> b.bucket("shared").key("s3/bob.txt"), RequestBody.fromString("mine")), 403, "AccessDenied");
            assertThat(bob.getObjectAsBytes(b -> b.bucket("shared").key("s3/bob.txt")).asUtf8String()).isEqualTo("from bob");

            // Over dave's 64 bytes: PutObject and CopyObject refused with S3's QuotaExceeded, nothing stored.
            dave.putObject(b -> b.bucket("other").key("s3/dave-1"), RequestBody.fromString("c".repeat(50)));
            assertS3Error(() -> dave.putObject(b -> b.bucket("other").key("s3/dave-2"), RequestBody.fromString("c".repeat(20))),
                403, "QuotaExceeded");
            assertS3Error(() -> dave.copyObject(b -> b.sourceBucket("other").sourceKey("s3/dave-1")
                .destinationBucket("other").destinationKey("s3/dave-copy")), 403, "QuotaExceeded");
            // A multipart upload starts (its size is not known yet) and is refused at complete.
            String upload = dave.createMultipartUpload(b -> b.bucket("other").key("s3/dave-mpu")).uploadId();
            String etag = dave.uploadPart(b -> b.bucket("other").key("s3/dave-mpu").uploadId(upload).partNumber(1),
                RequestBody.fromString("m".repeat(30))).eTag();
            assertS3Error(() -> dave.completeMultipartUpload(b -> b.bucket("other").key("s3/dave-mpu").uploadId(upload)
                .multipartUpload(m -> m.parts(p -> p.partNumber(1).eTag(etag)))), 403, "QuotaExceeded");
            assertThat(dave.listObjectsV2(b -> b.bucket("other").prefix("s3/")).contents()).extracting(o -> o.key())
                .containsExactly("s3/dave-1");

            try (S3Client stranger = s3(privateAgent, "AKNOBODY", "whatever-secret")) {
                assertS3Error(() -> stranger.listObjectsV2(b -> b.bucket("shared")), 403, "InvalidAccessKeyId");
            }
        }
    }

    @Test
    void everyAccessAndRefusalIsInTheEventsWithWhoAsked() throws Exception {
        assertThat(send(privateAgent, ALICE, "PUT", "/v1/objects/shared/audit/a.txt", "audited").statusCode()).isEqualTo(201);
        assertThat(send(privateAgent, BOB, "GET", "/v1/objects/shared/audit/a.txt", null).statusCode()).isEqualTo(404);
        assertThat(send(privateAgent, "a-token-nobody-has-000", "GET", "/v1/objects/shared/audit/a.txt", null).statusCode()).isEqualTo(401);
        try (S3Client stranger = s3(privateAgent, "AKSTRANGER", "whatever-secret")) {
            assertS3Error(() -> stranger.getObject(b -> b.bucket("shared").key("audit/a.txt")), 403, "InvalidAccessKeyId");
        }
        Path events = dir.resolve("private/data/events");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).untilAsserted(() -> {
            String all = String.join("\n", Files.list(events).map(f -> {
                try {
                    return Files.readString(f, StandardCharsets.UTF_8);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).toList());
            // Detail fields come in any order: each expected event is a line holding all its parts.
            assertThat(all.lines()).anyMatch(l -> containsAll(l, "\"type\":\"SAVE\"", "\"key\":\"audit/a.txt\"", "\"owner\":\"alice\"",
                "\"caller\":\"alice\""));
            assertThat(all.lines()).anyMatch(l -> containsAll(l, "\"type\":\"ACCESS\"", "\"key\":\"audit/a.txt\"", "\"outcome\":\"denied\"",
                "\"caller\":\"bob\"", "\"action\":\"read\""));
            assertThat(all.lines()).anyMatch(l -> containsAll(l, "\"type\":\"ACCESS\"", "\"action\":\"authenticate\"",
                "\"principal\":\"unknown-token\"", "GET /v1/objects/shared/audit/a.txt"));
            assertThat(all.lines()).anyMatch(l -> containsAll(l, "\"type\":\"ACCESS\"", "\"key\":\"audit/a.txt\"",
                "\"principal\":\"s3:AKSTRANGER\"", "\"reason\":\"InvalidAccessKeyId\""));
        });
    }

    @Test
    void theAuditTrailReadsBackByOwnerBucketAndWindowAndEachOwnerReadsOnlyItsOwn() throws Exception {
        assertThat(send(privateAgent, ALICE, "PUT", "/v1/objects/other/trail/a.txt", "trail").statusCode()).isEqualTo(201);
        assertThat(send(privateAgent, BOB, "GET", "/v1/objects/other/trail/a.txt", null).statusCode()).isEqualTo(404);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).untilAsserted(() -> {
            var alices = send(privateAgent, ALICE, "GET", "/v1/audit?bucket=other&limit=50", null);
            assertThat(alices.statusCode()).as(alices.body()).isEqualTo(200);
            assertThat(alices.body()).contains("\"key\":\"trail/a.txt\"").contains("\"type\":\"SAVE\"")
                .doesNotContain("\"caller\":\"bob\"");
            var bobs = send(privateAgent, BOB, "GET", "/v1/audit?bucket=other", null);
            assertThat(bobs.body()).contains("\"outcome\":\"denied\"").contains("trail/a.txt").doesNotContain("\"type\":\"SAVE\",\"bucket\":\"other\",\"key\":\"trail/a.txt\"");
        });
        var foreign = send(privateAgent, BOB, "GET", "/v1/audit?owner=alice", null);
        assertThat(foreign.statusCode()).isEqualTo(403);
        assertThat(foreign.body()).contains("only its own audit trail");
        assertThat(send(privateAgent, ALICE, "GET", "/v1/audit?from=yesterday", null).statusCode()).isEqualTo(400);
        assertThat(send(privateAgent, ALICE, "GET", "/v1/audit?limit=0", null).statusCode()).isEqualTo(400);
        var tooLong = send(privateAgent, ALICE, "GET", "/v1/audit?from=2026-01-01T00:00:00Z&to=2026-06-01T00:00:00Z", null);
        assertThat(tooLong.statusCode()).isEqualTo(400);
        assertThat(tooLong.body()).contains("longer than 31 days");
        var past = send(privateAgent, ALICE, "GET", "/v1/audit?from=2020-01-01T00:00:00Z&to=2020-01-02T00:00:00Z", null);
        assertThat(past.statusCode()).isEqualTo(200);
        assertThat(past.body()).isEqualTo("{\"events\":[]}");
    }

    private static boolean containsAll(String line, String... parts) {
        return java.util.Arrays.stream(parts).allMatch(line::contains);
    }

    private static void assertS3Error(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, int status, String code) {
        assertThatThrownBy(call).isInstanceOf(S3Exception.class).satisfies(e -> {
            S3Exception s3 = (S3Exception) e;
            assertThat(s3.statusCode()).isEqualTo(status);
            if (code != null) {
                assertThat(s3.awsErrorDetails().errorCode()).isEqualTo(code);
            }
        });
    }
}
