package dev.kelp.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.agent.fallback.FallbackVolume;
import dev.kelp.agent.multipart.CompletedPart;
import dev.kelp.agent.multipart.MultipartService;
import dev.kelp.agent.object.ContentHash;
import dev.kelp.agent.object.PutRequest;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Multipart uploads over real HTTP on the embedded default (local volume, embedded metadata):
 * a client that dies and resumes, an agent that restarts between parts, every refusal (which
 * must change nothing), abort and the expiry sweep freeing the parts, and flat memory.
 */
class MultipartApiTest {

    static final int MiB = 1024 * 1024;
    static final Pattern UPLOAD_ID = Pattern.compile("\"uploadId\":\"(mpu_[0-9a-f]{32})\"");
    static final Pattern ETAG = Pattern.compile("\"etag\":\"\\\\\"([0-9a-f]{64})\\\\\"\"");

    @TempDir
    static Path dir;
    static EmbeddedServer server;
    static HttpClient http = HttpClient.newHttpClient();

    static Map<String, Object> config(Path fallbackDir) {
        var config = new HashMap<String, Object>();
        config.put("micronaut.server.port", -1);
        config.put("kelp.fallback.dir", fallbackDir.toString());
        config.put("kelp.storage.buckets", List.of("media", "tight"));
        config.put("kelp.storage.max-object-size", "16MiB");
        config.put("kelp.storage.quota-max-bytes", "40MiB");
        config.put("kelp.storage.allowed-content-types", List.of("video/*", "application/octet-stream"));
        config.put("kelp.multipart.max-part-size", "6MiB");
        return config;
    }

    @BeforeAll
    static void start() {
        server = ApplicationContext.run(EmbeddedServer.class, config(dir));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    // ---- a small client ----

    record Client(EmbeddedServer server) {
        String base() {
            return "http://127.0.0.1:" + server.getPort();
        }

        HttpResponse<String> send(String method, String path, HttpRequest.BodyPublisher body, String... headers) throws Exception {
            var b = HttpRequest.newBuilder(URI.create(base() + path)).method(method, body);
            if (headers.length > 0) {
                b.headers(headers);
            }
            return http.send(b.build(), BodyHandlers.ofString());
        }

        HttpResponse<String> initiate(String bucketAndKey, String... headers) throws Exception {
            return send("POST", "/v1/uploads/" + bucketAndKey, BodyPublishers.noBody(), headers);
        }

        String initiated(String bucketAndKey, String... headers) throws Exception {
            var response = initiate(bucketAndKey, headers);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
            Matcher m = UPLOAD_ID.matcher(response.body());
            assertThat(m.find()).isTrue();
            return m.group(1);
        }

        HttpResponse<String> part(String uploadId, Object n, byte[] body) throws Exception {
            return send("PUT", "/v1/uploads/" + uploadId + "/parts/" + n, BodyPublishers.ofByteArray(body));
        }

        String partEtag(String uploadId, int n, byte[] body) throws Exception {
            var response = part(uploadId, n, body);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            String etag = ContentHash.ofBytes(body).hex();
            assertThat(response.headers().firstValue("ETag")).contains("\"" + etag + "\"");
            return etag;
        }

        HttpResponse<String> describe(String uploadId) throws Exception {
            return send("GET", "/v1/uploads/" + uploadId, BodyPublishers.noBody());
        }

        HttpResponse<String> complete(String uploadId, String json) throws Exception {
            return send("POST", "/v1/uploads/" + uploadId + "/complete", BodyPublishers.ofString(json), "Content-Type", "application/json");
        }

        HttpResponse<String> abort(String uploadId) throws Exception {
            return send("DELETE", "/v1/uploads/" + uploadId, BodyPublishers.noBody());
        }

        HttpResponse<byte[]> getObject(String bucketAndKey) throws Exception {
            return http.send(HttpRequest.newBuilder(URI.create(base() + "/v1/objects/" + bucketAndKey)).build(), BodyHandlers.ofByteArray());
        }
    }

    static Client client() {
        return new Client(server);
    }

    static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    static String partList(Object... numberThenEtag) {
        var entries = new ArrayList<String>();
        for (int i = 0; i < numberThenEtag.length; i += 2) {
            entries.add("{\"partNumber\":" + numberThenEtag[i] + ",\"etag\":\"" + numberThenEtag[i + 1] + "\"}");
        }
        return "[" + String.join(",", entries) + "]";
    }

    static List<String> etagsListed(String describeBody) {
        var etags = new ArrayList<String>();
        Matcher m = ETAG.matcher(describeBody);
        while (m.find()) {
            etags.add(m.group(1));
        }
        return etags;
    }

    static Path uploadDir(Path fallbackDir, String uploadId) {
        return fallbackDir.resolve("uploads").resolve(uploadId);
    }

    static long filesIn(Path path) throws Exception {
        if (!Files.exists(path)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(path)) {
            return files.count();
        }
    }

    // ---- the story ----

    @Test
    void aClientThatDiesAfterTwoPartsResumesFromTheListingAndCompletes() throws Exception {
        var c = client();
        byte[] p1 = random(5 * MiB, 1);
        byte[] p2 = random(5 * MiB, 2);
        byte[] p3 = random(2 * MiB + 123, 3);
        String id = c.initiated("media/videos/holiday.mp4", "Content-Type", "video/mp4", "x-kelp-meta-camera", "fuji");
        c.partEtag(id, 1, p1);
        c.partEtag(id, 2, p2);
        // The client dies here. A new one knows only the upload id (or finds it by listing).

        var open = c.send("GET", "/v1/uploads?bucket=media", BodyPublishers.noBody());
        assertThat(open.statusCode()).isEqualTo(200);
        assertThat(open.body()).contains(id, "videos/holiday.mp4");

        var described = c.describe(id);
        assertThat(described.statusCode()).isEqualTo(200);
        assertThat(described.body()).contains("\"partNumber\":1,\"size\":" + 5 * MiB, "\"partNumber\":2,\"size\":" + 5 * MiB)
            .doesNotContain("\"partNumber\":3");
        List<String> etags = etagsListed(described.body());
        assertThat(etags).containsExactly(ContentHash.ofBytes(p1).hex(), ContentHash.ofBytes(p2).hex());

        String e3 = c.partEtag(id, 3, p3);
        var completed = c.complete(id, partList(1, etags.get(0), 2, "\\\"" + etags.get(1) + "\\\"", 3, e3));
        assertThat(completed.statusCode()).as(completed.body()).isEqualTo(201);

        byte[] whole = concat(p1, p2, p3);
        String wholeEtag = "\"" + ContentHash.ofBytes(whole).hex() + "\"";
        assertThat(completed.headers().firstValue("ETag")).contains(wholeEtag);

        var got = c.getObject("media/videos/holiday.mp4");
        assertThat(got.statusCode()).isEqualTo(200);
        assertThat(got.body()).isEqualTo(whole);
        assertThat(got.headers().firstValue("ETag")).contains(wholeEtag);
        assertThat(got.headers().firstValue("Content-Type")).contains("video/mp4");
        assertThat(got.headers().firstValue("x-kelp-meta-camera")).contains("fuji");

        // The upload is gone, parts and all, and nothing is left staged.
        assertThat(c.describe(id).statusCode()).isEqualTo(404);
        assertThat(uploadDir(dir, id)).doesNotExist();
        assertThat(filesIn(dir.resolve("staging"))).isZero();
        assertThat(c.complete(id, partList(1, etags.get(0))).statusCode()).isEqualTo(404);
    }

    @Test
    void anUploadStaysResumableAcrossAnAgentRestart(@TempDir Path ownDir) throws Exception {
        byte[] p1 = random(3 * MiB, 11);
        byte[] p2 = random(MiB + 7, 12);
        String id;
        String e1;
        try (var first = ApplicationContext.run(EmbeddedServer.class, config(ownDir))) {
            var c = new Client(first);
            id = c.initiated("media/backups/db.dump", "Content-Type", "application/octet-stream");
            e1 = c.partEtag(id, 1, p1);
        }
        try (var second = ApplicationContext.run(EmbeddedServer.class, config(ownDir))) {
            var c = new Client(second);
            var described = c.describe(id);
            assertThat(described.statusCode()).as(described.body()).isEqualTo(200);
            assertThat(etagsListed(described.body())).containsExactly(e1);
            assertThat(second.getApplicationContext().getBean(FallbackVolume.class).partBytes()).isEqualTo(p1.length);

            String e2 = c.partEtag(id, 2, p2);
            var completed = c.complete(id, partList(1, e1, 2, e2));
            assertThat(completed.statusCode()).as(completed.body()).isEqualTo(201);
            assertThat(c.getObject("media/backups/db.dump").body()).isEqualTo(concat(p1, p2));
            assertThat(second.getApplicationContext().getBean(FallbackVolume.class).partBytes()).isZero();
        }
    }

    @Test
    void reuploadingAPartNumberReplacesIt() throws Exception {
        var c = client();
        String id = c.initiated("media/replaced.bin");
        c.partEtag(id, 1, "first try".getBytes());
        String e1 = c.partEtag(id, 1, "second".getBytes());
        assertThat(etagsListed(c.describe(id).body())).containsExactly(e1);
        assertThat(filesIn(uploadDir(dir, id))).isEqualTo(2); // the manifest and one part

        var completed = c.complete(id, partList(1, e1));
        assertThat(completed.statusCode()).isEqualTo(201);
        assertThat(new String(c.getObject("media/replaced.bin").body())).isEqualTo("second");
    }

    @Test
    void aRetriedCompleteAnswersWithTheSameObjectAndStoresNothingMore() throws Exception {
        var c = client();
        String id = c.initiated("media/retried.bin");
        String e1 = c.partEtag(id, 1, "once".getBytes());
        var first = c.complete(id, partList(1, e1));
        assertThat(first.statusCode()).isEqualTo(201);

        var retry = c.complete(id, partList(1, e1));
        assertThat(retry.statusCode()).as("the client never saw the first answer and asks again").isEqualTo(201);
        assertThat(retry.body()).as("the same version, not a second one").isEqualTo(first.body());

        var otherList = c.complete(id, partList(1, "0".repeat(64)));
        assertThat(otherList.statusCode()).as("a different list is not a retry").isEqualTo(404);
        assertThat(otherList.body()).contains("NoSuchUpload");
    }

    @Test
    void abortFreesThePartFilesAndTheirRoom() throws Exception {
        var c = client();
        var volume = server.getApplicationContext().getBean(FallbackVolume.class);
        long before = volume.partBytes();
        String id = c.initiated("media/abandoned.bin");
        c.partEtag(id, 1, random(MiB, 21));
        c.partEtag(id, 2, random(MiB, 22));
        assertThat(filesIn(uploadDir(dir, id))).isEqualTo(3);
        assertThat(volume.partBytes()).isEqualTo(before + 2 * MiB);
        var metrics = c.send("GET", "/prometheus", BodyPublishers.noBody()).body();
        assertThat(metrics).containsPattern("kelp_multipart_part_bytes[^\\n]* " + Pattern.quote(Double.toString((double) volume.partBytes())))
            .contains("kelp_multipart_open_uploads");

        assertThat(c.abort(id).statusCode()).isEqualTo(204);
        assertThat(uploadDir(dir, id)).doesNotExist();
        assertThat(volume.partBytes()).isEqualTo(before);
        assertThat(c.describe(id).statusCode()).isEqualTo(404);
        assertThat(c.send("GET", "/v1/uploads?bucket=media", BodyPublishers.noBody()).body()).doesNotContain(id);

        // An aborted upload cannot be completed, added to, or aborted again.
        var complete = c.complete(id, partList(1, "0".repeat(64)));
        assertThat(complete.statusCode()).isEqualTo(404);
        assertThat(complete.body()).contains("NoSuchUpload");
        assertThat(c.part(id, 3, "x".getBytes()).statusCode()).isEqualTo(404);
        assertThat(c.abort(id).statusCode()).isEqualTo(404);
        assertThat(c.getObject("media/abandoned.bin").statusCode()).isEqualTo(404);
    }

    @Test
    void uploadsOlderThanTheMaxAgeAreSweptAway(@TempDir Path ownDir) throws Exception {
        var config = config(ownDir);
        config.put("kelp.multipart.max-age", "1s");
        config.put("kelp.multipart.sweep-interval", "100ms");
        try (var agent = ApplicationContext.run(EmbeddedServer.class, config)) {
            var c = new Client(agent);
            String id = c.initiated("media/forgotten.bin");
            c.partEtag(id, 1, random(MiB, 31));
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (c.describe(id).statusCode() == 200 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(c.describe(id).statusCode()).isEqualTo(404);
            assertThat(uploadDir(ownDir, id)).doesNotExist();
            assertThat(agent.getApplicationContext().getBean(FallbackVolume.class).partBytes()).isZero();
        }
    }

    @Test
    void partsUploadedInParallelAllLand() throws Exception {
        var c = client();
        String id = c.initiated("media/parallel.bin");
        int parts = 12;
        byte[][] bodies = new byte[parts][];
        for (int i = 0; i < parts; i++) {
            bodies[i] = random(256 * 1024 + i, 60 + i);
        }
        var etags = new String[parts];
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(6)) {
            var futures = new ArrayList<java.util.concurrent.Future<String>>();
            for (int i = 0; i < parts; i++) {
                int n = i + 1;
                futures.add(pool.submit(() -> c.partEtag(id, n, bodies[n - 1])));
            }
            for (int i = 0; i < parts; i++) {
                etags[i] = futures.get(i).get();
            }
        }
        assertThat(etagsListed(c.describe(id).body())).containsExactly(etags);
        var list = new ArrayList<Object>();
        for (int i = 0; i < parts; i++) {
            list.add(i + 1);
            list.add(etags[i]);
        }
        assertThat(c.complete(id, partList(list.toArray())).statusCode()).isEqualTo(201);
        assertThat(c.getObject("media/parallel.bin").body()).isEqualTo(concat(bodies));
    }

    @Test
    void aPartDamagedOnDiskIsNeverStoredAndIsAskedForAgain() throws Exception {
        var c = client();
        String id = c.initiated("media/damaged.bin");
        byte[] p1 = random(MiB, 71);
        byte[] p2 = random(MiB, 72);
        String e1 = c.partEtag(id, 1, p1);
        String e2 = c.partEtag(id, 2, p2);
        // Bit rot: same size, one byte different.
        Path file = uploadDir(dir, id).resolve("00002-" + e2 + ".part");
        byte[] rotten = p2.clone();
        rotten[1000] ^= 1;
        Files.write(file, rotten);

        var refused = c.complete(id, partList(1, e1, 2, e2));
        assertThat(refused.statusCode()).isEqualTo(500);
        assertThat(refused.body()).contains("PartDamaged", "part 2");
        assertThat(c.getObject("media/damaged.bin").statusCode()).isEqualTo(404);
        assertThat(etagsListed(c.describe(id).body())).containsExactly(e1);
        assertThat(filesIn(dir.resolve("staging"))).isZero();

        c.partEtag(id, 2, p2);
        assertThat(c.complete(id, partList(1, e1, 2, e2)).statusCode()).isEqualTo(201);
        assertThat(c.getObject("media/damaged.bin").body()).isEqualTo(concat(p1, p2));
    }

    // ---- bad input: a clear 4xx and nothing changed ----

    @Test
    void unknownOrMalformedUploadIdsAre404NoSuchUpload() throws Exception {
        var c = client();
        for (String id : List.of("mpu_" + "0".repeat(32), "nope", "..%2F..%2Fetc")) {
            for (var response : List.of(c.describe(id), c.part(id, 1, "x".getBytes()), c.complete(id, partList(1, "0".repeat(64))), c.abort(id))) {
                assertThat(response.statusCode()).as(id + " " + response.request().method()).isEqualTo(404);
                assertThat(response.body()).contains("NoSuchUpload");
            }
        }
    }

    @Test
    void partNumbersOutOfRangeAre400AndStoreNothing() throws Exception {
        var c = client();
        String id = c.initiated("media/range.bin");
        for (String n : List.of("0", "10001", "-1", "one")) {
            var response = c.part(id, n, "x".getBytes());
            assertThat(response.statusCode()).as(n).isEqualTo(400);
            assertThat(response.body()).contains("InvalidArgument");
        }
        assertThat(c.part(id, 10000, "last".getBytes()).statusCode()).isEqualTo(200);
        assertThat(c.describe(id).body()).contains("\"partNumber\":10000").doesNotContain("\"partNumber\":1,");
        assertThat(filesIn(uploadDir(dir, id))).isEqualTo(2);
        c.abort(id);
    }

    @Test
    void badPartListsAre400AndLeaveTheUploadAsItWas() throws Exception {
        var c = client();
        String id = c.initiated("media/lists.bin");
        String e1 = c.partEtag(id, 1, "one".getBytes());
        String e2 = c.partEtag(id, 2, "two".getBytes());
        String before = c.describe(id).body();

        Map<String, String> cases = Map.of(
            "[]", "MalformedRequest",
            "not json", "MalformedRequest",
            "{\"partNumber\":1}", "MalformedRequest",
            partList(1, e1, 3, e2), "InvalidPart",
            partList(1, e2), "InvalidPart",
            partList(1, e1, 2, "0".repeat(64)), "InvalidPart",
            partList(2, e2, 1, e1), "InvalidPartOrder",
            partList(1, e1, 1, e1), "InvalidPartOrder");
        for (var entry : cases.entrySet()) {
            var response = c.complete(id, entry.getKey());
            assertThat(response.statusCode()).as(entry.getKey()).isEqualTo(400);
            assertThat(response.body()).as(entry.getKey()).contains("\"code\":\"" + entry.getValue() + "\"");
        }
        assertThat(c.describe(id).body()).isEqualTo(before);
        assertThat(c.getObject("media/lists.bin").statusCode()).isEqualTo(404);

        // Still completable once the list is right.
        assertThat(c.complete(id, partList(1, e1, 2, e2)).statusCode()).isEqualTo(201);
        assertThat(new String(c.getObject("media/lists.bin").body())).isEqualTo("onetwo");
    }

    @Test
    void invalidKeysAndUnknownBucketsAreRefusedAtInitiate() throws Exception {
        var c = client();
        long uploadsBefore = filesIn(dir.resolve("uploads"));
        var control = c.initiate("media/bad%0Aname");
        assertThat(control.statusCode()).isEqualTo(400);
        assertThat(control.body()).contains("InvalidKey");
        var emptySegment = c.initiate("media/a//b");
        assertThat(emptySegment.statusCode()).isEqualTo(400);
        var overlong = c.initiate("media/" + "k".repeat(1025));
        assertThat(overlong.statusCode()).isEqualTo(400);
        var unknown = c.initiate("nosuchbucket/a.bin");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("NoSuchBucket");
        var badBucket = c.initiate("Bad_Bucket/a.bin");
        assertThat(badBucket.statusCode()).isIn(400, 404);
        assertThat(filesIn(dir.resolve("uploads"))).isEqualTo(uploadsBefore);

        var script = c.initiate("media/app.js", "Content-Type", "application/javascript");
        assertThat(script.statusCode()).isEqualTo(415);
        assertThat(script.body()).contains("UnsupportedContentType");
        assertThat(filesIn(dir.resolve("uploads"))).isEqualTo(uploadsBefore);

        var listUnknown = c.send("GET", "/v1/uploads?bucket=nosuchbucket", BodyPublishers.noBody());
        assertThat(listUnknown.statusCode()).isEqualTo(404);
    }

    @Test
    void oversizePartsAndObjectsAre413() throws Exception {
        var c = client();
        String id = c.initiated("media/huge.bin");
        var tooBigPart = c.part(id, 1, new byte[6 * MiB + 1]);
        assertThat(tooBigPart.statusCode()).isEqualTo(413);
        assertThat(tooBigPart.body()).contains("EntityTooLarge");

        // Three parts of 6 MiB are within the part limit, but 18 MiB is over the 16 MiB object limit.
        c.partEtag(id, 1, new byte[6 * MiB]);
        c.partEtag(id, 2, new byte[6 * MiB]);
        var overTotal = c.part(id, 3, new byte[6 * MiB]);
        assertThat(overTotal.statusCode()).isEqualTo(413);
        assertThat(c.describe(id).body()).doesNotContain("\"partNumber\":3");
        assertThat(filesIn(dir.resolve("staging"))).isZero();
        c.abort(id);
    }

    @Test
    void quotaIsCheckedAgainAtCompleteWith507() throws Exception {
        var c = client();
        // The bucket quota is 40 MiB: 32 MiB stored, then an upload of 9 MiB.
        for (String key : List.of("tight/first.bin", "tight/second.bin")) {
            var put = c.send("PUT", "/v1/objects/" + key, BodyPublishers.ofByteArray(random(16 * MiB, key.length())));
            assertThat(put.statusCode()).isEqualTo(201);
        }
        String id = c.initiated("tight/third.bin");
        String e1 = c.partEtag(id, 1, random(6 * MiB, 43));
        String e2 = c.partEtag(id, 2, random(3 * MiB, 44));
        var over = c.complete(id, partList(1, e1, 2, e2));
        assertThat(over.statusCode()).isEqualTo(507);
        assertThat(over.body()).contains("QuotaExceeded");
        assertThat(c.getObject("tight/third.bin").statusCode()).isEqualTo(404);
        // Refused, not lost: a smaller object from the same parts still fits.
        assertThat(etagsListed(c.describe(id).body())).containsExactly(e1, e2);
        assertThat(c.complete(id, partList(2, e2)).statusCode()).isEqualTo(201);
        assertThat(c.getObject("tight/third.bin").body()).hasSize(3 * MiB);
    }

    @Test
    void ifNoneMatchStarIsCheckedAtInitiateAndAgainAtComplete() throws Exception {
        var c = client();
        assertThat(c.send("PUT", "/v1/objects/media/exists.txt", BodyPublishers.ofString("here")).statusCode()).isEqualTo(201);
        var refused = c.initiate("media/exists.txt", "If-None-Match", "*");
        assertThat(refused.statusCode()).isEqualTo(412);

        String id = c.initiated("media/race.txt", "If-None-Match", "*");
        String e1 = c.partEtag(id, 1, "mine".getBytes());
        // Someone else creates the key while the parts are being uploaded.
        assertThat(c.send("PUT", "/v1/objects/media/race.txt", BodyPublishers.ofString("theirs")).statusCode()).isEqualTo(201);
        var lost = c.complete(id, partList(1, e1));
        assertThat(lost.statusCode()).isEqualTo(412);
        assertThat(new String(c.getObject("media/race.txt").body())).isEqualTo("theirs");
        assertThat(c.describe(id).statusCode()).isEqualTo(200);
        c.abort(id);
    }

    // ---- memory ----

    /**
     * Completing concatenates through one buffer: the bytes the completing thread allocates
     * stay a small fraction of the object, so no array of the object's size exists. (The
     * HTTP layer is left out on purpose: this measures the engine path, on this thread.)
     */
    @Test
    void completeStreamsWithoutHoldingTheObjectInMemory() throws Exception {
        var uploads = server.getApplicationContext().getBean(MultipartService.class);
        var upload = uploads.initiate(new PutRequest("media", "memory/big.bin", "application/octet-stream", -1, Map.of(), null, null));
        var parts = new ArrayList<CompletedPart>();
        byte[] part = random(5 * MiB, 51);
        for (int n = 1; n <= 3; n++) {
            var info = uploads.uploadPart(upload.uploadId(), n, part.length, new ByteArrayInputStream(part));
            parts.add(new CompletedPart(n, info.sha256()));
        }
        long objectSize = 3L * part.length;

        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long threadId = Thread.currentThread().threadId();
        long before = threads.getThreadAllocatedBytes(threadId);
        var stored = uploads.complete(upload.uploadId(), parts);
        long allocated = threads.getThreadAllocatedBytes(threadId) - before;
        System.out.printf("complete of a %d-byte object allocated %d bytes on the completing thread%n", objectSize, allocated);

        assertThat(stored.size()).isEqualTo(objectSize);
        assertThat(allocated).isLessThan(objectSize / 8);
        assertThat(client().getObject("media/memory/big.bin").body()).isEqualTo(concat(part, part, part));
    }

    static byte[] concat(byte[]... parts) throws Exception {
        var out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.write(p);
        }
        return out.toByteArray();
    }
}
