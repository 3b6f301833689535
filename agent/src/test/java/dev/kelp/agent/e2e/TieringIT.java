package dev.kelp.agent.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kelp.agent.object.ContentHash;
import dev.kelp.agent.provingground.SeaweedFsClients;
import dev.kelp.testkit.ProvingGround;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Tiering on the real SeaweedFS and PostgreSQL with the packaged agent (issue 7: "tier a set of
 * objects cold and read them back; expire them; quotas still hold"): objects the rule matches
 * and nobody used for cold-after move to the cold bucket, checked on SeaweedFS itself (the
 * bytes are there and gone from the hot bucket), read back byte for byte through the agent,
 * promoted back on read, expired through the normal delete path, with the bucket's quota
 * counting cold bytes all along. Then the crash cases: the agent killed -9 and SeaweedFS killed
 * in the middle of a run lose no acknowledged object.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TieringIT {

    private static final String RUN = Long.toString(System.currentTimeMillis(), 36);
    private static final String HOT = "tier-hot-" + RUN;
    private static final String COLD = "tier-cold-" + RUN;
    private static final String BIG = "tier-big-" + RUN;
    private static final String SEALED = "tier-sealed-" + RUN;
    private static final String DATABASE = "kelp_tier_" + RUN;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ProvingGround.Service seaweedfs = ProvingGround.service("seaweedfs");
    private static final Pattern FIELD = Pattern.compile("\"(\\w+)\":(\"[^\"]*\"|[^,}\\]]+)");
    /** Current objects' bytes in HOT may not pass this: the 16 objects of 1,000 bytes, 10 + 2 small ones, and 500 to spare. */
    private static final long QUOTA = 16 * 1000 + 8 * 200 + 2 * 1000 + 500;

    private static final byte[] OLD_KEY = EncryptedAgent.newKey(401);
    private static final byte[] NEW_KEY = EncryptedAgent.newKey(402);
    /** The sealed objects of test 3, read again in test 4. */
    private static final Map<String, byte[]> sealedBodies = new LinkedHashMap<>();

    private static Path work;
    private static Path keys;
    private static AgentProcess agent;

    @BeforeAll
    static void start() throws Exception {
        seaweedfs.start();
        sql("CREATE DATABASE " + DATABASE);
        work = Files.createTempDirectory("kelp-tiering-it");
        keys = work.resolve("keys");
        agent = AgentProcess.start(work.resolve("a"), config(work.resolve("a/fallback"), QUOTA));
    }

    @AfterAll
    static void stop() throws Exception {
        seaweedfs.start();
        if (agent != null) {
            agent.close();
        }
        sql("DROP DATABASE IF EXISTS " + DATABASE + " WITH (FORCE)");
    }

    @Test
    @Order(1)
    void objectsUnusedForColdAfterMoveColdReadBackPromoteExpireAndTheQuotaStillHolds() throws Exception {
        var bodies = new LinkedHashMap<String, byte[]>();
        var random = new SplittableRandom(11);
        for (int i = 0; i < 10; i++) {
            bodies.put("docs/" + i, bytes(random, 1000));
        }
        for (int i = 0; i < 5; i++) {
            bodies.put("docs/old-" + i, bytes(random, 1000));
        }
        bodies.put("docs/shared", bytes(random, 1000));
        for (var e : bodies.entrySet()) {
            put(HOT, e.getKey(), "text/plain; charset=utf-8", e.getValue());
        }
        // Not matched: another content type, another prefix, too small; and a blob shared with an unmatched key.
        var unmatched = new LinkedHashMap<String, byte[]>();
        for (int i = 0; i < 4; i++) {
            unmatched.put("docs/img-" + i, bytes(random, 200));
            put(HOT, "docs/img-" + i, "image/png", unmatched.get("docs/img-" + i));
            unmatched.put("other/" + i, bytes(random, 200));
            put(HOT, "other/" + i, "text/plain", unmatched.get("other/" + i));
        }
        unmatched.put("docs/tiny", bytes(random, 10));
        put(HOT, "docs/tiny", "text/plain", unmatched.get("docs/tiny"));
        unmatched.put("keep/shared", bodies.get("docs/shared"));
        put(HOT, "keep/shared", "text/plain", bodies.get("docs/shared"));
        long written = bodies.values().stream().mapToLong(b -> b.length).sum() + unmatched.values().stream().mapToLong(b -> b.length).sum();
        // A read reaches PostgreSQL by itself, in the next batch (access-flush-interval 500ms), not on the GET.
        assertThat(get(HOT, "other/0").body()).isEqualTo(unmatched.get("other/0"));
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100)).until(() -> lastAccessed(HOT, "other/0") != null);
        assertThat(lastAccessed(HOT, "docs/0")).as("never read").isNull();
        long t0 = System.nanoTime();

        sleepUntil(t0, 2_500);
        assertThat(get(HOT, "docs/5").body()).isEqualTo(bodies.get("docs/5")); // read after cold-after: it stays hot

        var run1 = fields(post("/v1/tiering/rules/archive/run").body());
        assertThat(run1).containsEntry("phase", "Succeeded").containsEntry("errors", "0");
        List<String> moved = bodies.keySet().stream().filter(k -> !k.equals("docs/5") && !k.equals("docs/shared")).toList();
        assertThat(run1).containsEntry("objectsMoved", Integer.toString(moved.size())).containsEntry("bytesMoved", Long.toString(moved.size() * 1000L));
        assertThat(run1).containsEntry("coldObjects", Integer.toString(moved.size())).containsEntry("coldBytes", Long.toString(moved.size() * 1000L))
            .containsEntry("hotObjects", "2").containsEntry("hotBytes", "2000");

        try (S3Client s3 = SeaweedFsClients.direct()) {
            Map<String, byte[]> coldCopies = coldCopies(s3);
            for (String key : moved) {
                ContentHash hash = ContentHash.ofBytes(bodies.get(key));
                assertThat(hotBlobExists(s3, hash)).as("hot copy of " + key + " released").isFalse();
                assertThat(coldCopyOf(coldCopies, hash)).as("cold copy of " + key).isEqualTo(bodies.get(key));
            }
            for (String key : List.of("docs/5", "docs/shared")) {
                ContentHash hash = ContentHash.ofBytes(bodies.get(key));
                assertThat(hotBlobExists(s3, hash)).as(key + " stays hot").isTrue();
                assertThat(coldCopyOf(coldCopies, hash)).as(key + " has no cold copy").isNull();
            }
            for (var e : unmatched.entrySet()) {
                assertThat(hotBlobExists(s3, ContentHash.ofBytes(e.getValue()))).as(e.getKey() + " is not matched: hot").isTrue();
            }
        }

        // Cold bytes are still the policy's: the quota counts them.
        var refused = putResponse(HOT, "docs/one-too-many", "text/plain", bytes(random, (int) (QUOTA - written + 1)));
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(507);
        assertThat(refused.body()).contains("QuotaExceeded");

        var report = get("/v1/tiering/report").body();
        assertThat(report).contains("\"bucket\":\"" + HOT + "\"", "\"rule\":\"archive\"", "\"cold\":{\"objects\":" + moved.size() + ",\"bytes\":" + moved.size() * 1000,
            "estimatedMonthlyCost", "monthlyCostIfAllHot", "\"currency\":\"EUR\"");

        // Read back through the agent, byte for byte: from the cold target, and promoted back on read.
        List<String> readBack = moved.stream().filter(k -> !k.startsWith("docs/old-")).toList();
        for (String key : readBack) {
            assertThat(get(HOT, key).body()).as(key).isEqualTo(bodies.get(key));
        }
        var ranged = HTTP.send(HttpRequest.newBuilder(object(HOT, "docs/9")).header("Range", "bytes=100-199").build(),
            HttpResponse.BodyHandlers.ofByteArray());
        assertThat(ranged.statusCode()).isEqualTo(206);
        assertThat(ranged.body()).isEqualTo(java.util.Arrays.copyOfRange(bodies.get("docs/9"), 100, 200));
        try (S3Client s3 = SeaweedFsClients.direct()) {
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                Map<String, byte[]> coldCopies = coldCopies(s3);
                for (String key : readBack) {
                    ContentHash hash = ContentHash.ofBytes(bodies.get(key));
                    assertThat(hotBlobExists(s3, hash)).as(key + " promoted back to hot").isTrue();
                    assertThat(coldCopyOf(coldCopies, hash)).as(key + " cold copy removed after promotion").isNull();
                }
            });
        }
        for (String key : readBack) {
            assertThat(get(HOT, key).body()).as(key + " after promotion").isEqualTo(bodies.get(key));
        }
        // Expiry: the objects nobody used for expire-after are deleted through the normal path. Every
        // other object of the rule is used just before the run, however long the steps above took.
        sleepUntil(t0, 6_500);
        for (String key : bodies.keySet()) {
            if (!key.startsWith("docs/old-")) {
                assertThat(get(HOT, key).body()).as(key).isEqualTo(bodies.get(key));
            }
        }
        var run2 = fields(post("/v1/tiering/rules/archive/run").body());
        assertThat(run2).containsEntry("phase", "Succeeded").containsEntry("objectsExpired", "5").containsEntry("bytesExpired", "5000");
        for (int i = 0; i < 5; i++) {
            assertThat(get(HOT, "docs/old-" + i).statusCode()).as("expired").isEqualTo(404);
        }
        assertThat(listKeys(HOT)).doesNotContain("docs/old-0").contains("docs/0", "docs/5", "keep/shared", "other/0");
        // The expired bytes left the quota: what was refused fits now, and the quota still holds after.
        assertThat(putResponse(HOT, "docs/one-more", "text/plain", bytes(random, 4000)).statusCode()).isEqualTo(201);
        long usage = written - 5000 + 4000;
        assertThat(putResponse(HOT, "docs/too-much", "text/plain", bytes(random, (int) (QUOTA - usage + 1))).statusCode()).isEqualTo(507);

        // Once the reclaimer has removed the expired blobs (kelp.reclaim.after: 1s), a run removes their cold copies.
        try (S3Client s3 = SeaweedFsClients.direct()) {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                post("/v1/tiering/rules/archive/run");
                Map<String, byte[]> coldCopies = coldCopies(s3);
                for (int i = 0; i < 5; i++) {
                    assertThat(coldCopyOf(coldCopies, ContentHash.ofBytes(bodies.get("docs/old-" + i)))).as("cold copy of expired docs/old-" + i).isNull();
                }
            });
        }
        for (var e : unmatched.entrySet()) {
            assertThat(get(HOT, e.getKey()).body()).as(e.getKey()).isEqualTo(e.getValue());
        }
    }

    @Test
    @Order(2)
    void killingTheAgentOrSeaweedFsMidRunLosesNoAcknowledgedObject() throws Exception {
        agent.close();
        agent = AgentProcess.start(work.resolve("a"), config(work.resolve("a/fallback"), 0)); // no quota for the big objects
        var bodies = new LinkedHashMap<String, byte[]>();
        var random = new SplittableRandom(13);
        for (int i = 0; i < 60; i++) {
            bodies.put("big/" + i, bytes(random, 1 << 20));
            put(BIG, "big/" + i, "application/octet-stream", bodies.get("big/" + i));
        }
        Thread.sleep(2_200);

        // kill -9 the agent as soon as the first cold copy appears.
        var running = CompletableFuture.runAsync(() -> post("/v1/tiering/rules/big/run"));
        try (S3Client s3 = SeaweedFsClients.direct()) {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                .until(() -> !coldCopies(s3, "big/").isEmpty());
        }
        agent.kill();
        running.handle((ok, e) -> null).get();
        agent = AgentProcess.start(work.resolve("b"), config(work.resolve("b/fallback"), 0));
        assertAllReadable(BIG, bodies, "after the agent was killed mid-run");

        // SeaweedFS killed in the middle of the next run: the run fails, nothing is lost.
        Thread.sleep(3_500); // the dead runner's lease (lease-ttl 3s) runs out; the reads above are older than cold-after by then
        var second = CompletableFuture.supplyAsync(() -> post("/v1/tiering/rules/big/run"));
        try (S3Client s3 = SeaweedFsClients.direct()) {
            int before = coldCopies(s3, "big/").size();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                .until(() -> coldCopies(s3, "big/").size() > before || second.isDone());
        }
        boolean midRun = !second.isDone();
        seaweedfs.kill();
        var failed = fields(second.get().body());
        seaweedfs.start();
        if (midRun) {
            assertThat(failed).as("a run whose SeaweedFS went away fails and says why").containsEntry("phase", "Failed");
            assertThat(failed.get("message")).isNotBlank();
        }
        agent.awaitMode("FULL", Duration.ofSeconds(60));
        assertAllReadable(BIG, bodies, "after SeaweedFS was killed mid-run");

        // A clean run finishes the job; everything still reads back.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            var f = fields(post("/v1/tiering/rules/big/run").body());
            return "Succeeded".equals(f.get("phase")) && "0".equals(f.get("hotObjects"));
        });
        assertAllReadable(BIG, bodies, "after the runs completed");
    }

    @Test
    @Order(3)
    void withEncryptionAtRestTheColdCopiesAreSealedAndReadBack() throws Exception {
        agent.close();
        EncryptedAgent.mountSecret(keys, OLD_KEY);
        // The sealed rule does not promote on read (the agent-wide setting stays on): reads leave
        // its copies cold, for tests 4 and 5.
        String sealedRule = "        cold-after: 2s\n        target: {bucket: %s, prefix: sealed/}".formatted(COLD);
        String base = config(work.resolve("c/fallback"), 0);
        assertThat(base).contains(sealedRule);
        agent = AgentProcess.start(work.resolve("c"), base.replace(sealedRule, sealedRule.replace("target:", "promote-on-read: false\n        target:"))
            + "  encryption:\n    enabled: true\n    key-dir: " + keys + "\n    reload-interval: 200ms\n    rewrap-interval: 1s\n");
        for (int i = 0; i < 5; i++) {
            // Text that is easy to find in raw bytes, over more than one encryption segment for one of them.
            byte[] body = ("secret card " + i + " ").repeat(i == 0 ? 20_000 : 50).getBytes(StandardCharsets.UTF_8);
            sealedBodies.put("sealed/" + i, body);
            put(SEALED, "sealed/" + i, "text/plain", body);
        }
        Thread.sleep(2_200);
        var run = fields(post("/v1/tiering/rules/sealed/run").body());
        assertThat(run).containsEntry("phase", "Succeeded").containsEntry("objectsMoved", "5");
        try (S3Client s3 = SeaweedFsClients.direct()) {
            var copies = new HashMap<String, byte[]>();
            for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(COLD).prefix("sealed/" + SEALED + "/blobs/")).contents()) {
                copies.put(o.key(), s3.getObjectAsBytes(b -> b.bucket(COLD).key(o.key())).asByteArray());
            }
            assertThat(copies).hasSize(5);
            for (var e : copies.entrySet()) {
                assertThat(e.getKey()).as("kept sealed").endsWith(".enc");
                assertThat(new String(e.getValue(), StandardCharsets.ISO_8859_1)).as("no plaintext on the cold target").doesNotContain("secret card");
            }
        }
        for (var e : sealedBodies.entrySet()) {
            assertThat(get(SEALED, e.getKey()).body()).as(e.getKey()).isEqualTo(e.getValue());
        }
        var ranged = HTTP.send(HttpRequest.newBuilder(object(SEALED, "sealed/0")).header("Range", "bytes=70000-70099").build(),
            HttpResponse.BodyHandlers.ofByteArray());
        assertThat(ranged.body()).isEqualTo(java.util.Arrays.copyOfRange(sealedBodies.get("sealed/0"), 70_000, 70_100));
    }

    @Test
    @Order(4)
    void aKeyRotationReWrapsTheColdCopiesSoTheOldKeyCanGo() throws Exception {
        Map<String, ContentHash> before = sealedCopies();
        EncryptedAgent.mountSecret(keys, NEW_KEY, OLD_KEY);
        Awaitility.await("every cold copy has a key record under the new key").atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(250)).until(() -> coldKeyRecords() == sealedBodies.size() && metric("kelp_encryption_rewrap_remaining") == 0);

        EncryptedAgent.mountSecret(keys, NEW_KEY);
        String newOnly = "accepted [" + EncryptedAgent.idOf(NEW_KEY) + "]]";
        Awaitility.await("the agent drops the old key").atMost(Duration.ofSeconds(10)).until(() -> agent.log().contains(newOnly));
        for (var e : sealedBodies.entrySet()) {
            var response = get(SEALED, e.getKey());
            assertThat(response.statusCode()).as(e.getKey() + " with the old key gone: " + new String(response.body(), StandardCharsets.UTF_8))
                .isEqualTo(200);
            assertThat(response.body()).as(e.getKey()).isEqualTo(e.getValue());
        }
        var ranged = HTTP.send(HttpRequest.newBuilder(object(SEALED, "sealed/0")).header("Range", "bytes=70000-70099").build(),
            HttpResponse.BodyHandlers.ofByteArray());
        assertThat(ranged.body()).isEqualTo(java.util.Arrays.copyOfRange(sealedBodies.get("sealed/0"), 70_000, 70_100));
        assertThat(sealedCopies()).as("the cold copies themselves are not rewritten").isEqualTo(before);
    }

    @Test
    @Order(5)
    void aHotCopyLeftByACrashAfterTheColdRecordIsReleasedByTheNextRun() throws Exception {
        // What a crash between recording a cold copy and deleting the hot one leaves, made by
        // hand (this agent does not promote on read, so nothing else puts a hot copy back).
        byte[] leftover = sealedBodies.get("sealed/1");
        ContentHash hash = ContentHash.ofBytes(leftover);
        String hotKey = "blobs/" + hash.shardedPath();
        try (S3Client s3 = SeaweedFsClients.direct()) {
            s3.putObject(b -> b.bucket(SEALED).key(hotKey), software.amazon.awssdk.core.sync.RequestBody.fromBytes(leftover));
            sqlOnTieringDatabase("UPDATE cold_blobs SET hot_released = FALSE WHERE bucket = '" + SEALED + "' AND hash = '" + hash.hex() + "'");

            assertThat(fields(post("/v1/tiering/rules/sealed/run").body())).containsEntry("phase", "Succeeded");

            assertThat(s3.listObjectsV2(b -> b.bucket(SEALED).prefix(hotKey)).contents()).as("the leftover hot copy").isEmpty();
        }
        assertThat(countOnTieringDatabase("SELECT COUNT(*) FROM cold_blobs WHERE bucket = '" + SEALED + "' AND hot_released = FALSE")).isZero();
        assertThat(countOnTieringDatabase("SELECT COUNT(*) FROM cold_blobs WHERE bucket = '" + SEALED + "'")).as("still cold").isEqualTo(5);
        for (var e : sealedBodies.entrySet()) {
            assertThat(get(SEALED, e.getKey()).body()).as(e.getKey()).isEqualTo(e.getValue());
        }
    }

    /** The sealed copies on the cold target, by key, as their bytes' hashes. */
    private static Map<String, ContentHash> sealedCopies() {
        try (S3Client s3 = SeaweedFsClients.direct()) {
            var copies = new java.util.TreeMap<String, ContentHash>();
            for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(COLD).prefix("sealed/" + SEALED + "/blobs/")).contents()) {
                copies.put(o.key(), ContentHash.ofBytes(s3.getObjectAsBytes(b -> b.bucket(COLD).key(o.key())).asByteArray()));
            }
            return copies;
        }
    }

    private static long coldKeyRecords() throws Exception {
        return countOnTieringDatabase("SELECT count(*) FROM cold_blobs WHERE bucket = '" + SEALED + "' AND key_record IS NOT NULL");
    }

    private static java.sql.Connection tieringDatabase() throws Exception {
        String url = ProvingGround.require("KELP_PG_URL");
        return DriverManager.getConnection(url.substring(0, url.lastIndexOf('/') + 1) + DATABASE, ProvingGround.require("KELP_PG_USER"),
            ProvingGround.require("KELP_PG_PASSWORD"));
    }

    private static long countOnTieringDatabase(String query) throws Exception {
        try (var c = tieringDatabase(); var st = c.createStatement(); var rs = st.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void sqlOnTieringDatabase(String statement) throws Exception {
        try (var c = tieringDatabase(); var st = c.createStatement()) {
            st.execute(statement);
        }
    }

    private static double metric(String name) throws Exception {
        return get("/prometheus").body().lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
            .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    private static void assertAllReadable(String bucket, Map<String, byte[]> bodies, String when) throws Exception {
        assertThat(listKeys(bucket)).as(when).containsExactlyInAnyOrderElementsOf(bodies.keySet());
        for (var e : bodies.entrySet()) {
            var response = get(bucket, e.getKey());
            assertThat(response.statusCode()).as(e.getKey() + " " + when + ": " + new String(response.body(), StandardCharsets.UTF_8)).isEqualTo(200);
            assertThat(ContentHash.ofBytes(response.body())).as(e.getKey() + " " + when).isEqualTo(ContentHash.ofBytes(e.getValue()));
        }
    }

    private static boolean hotBlobExists(S3Client s3, ContentHash hash) {
        try {
            s3.headObject(b -> b.bucket(HOT).key("blobs/" + hash.shardedPath()));
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

    /** Every object under the cold bucket's prefix for HOT, by key, with its raw stored bytes. */
    private static Map<String, byte[]> coldCopies(S3Client s3) {
        var out = new HashMap<String, byte[]>();
        for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(COLD).prefix("kelp/" + HOT + "/blobs/")).contents()) {
            out.put(o.key(), s3.getObjectAsBytes(b -> b.bucket(COLD).key(o.key())).asByteArray());
        }
        return out;
    }

    private static List<String> coldCopies(S3Client s3, String prefix) {
        try {
            return s3.listObjectsV2Paginator(b -> b.bucket(COLD).prefix(prefix)).contents().stream().map(S3Object::key).toList();
        } catch (software.amazon.awssdk.services.s3.model.NoSuchBucketException e) {
            return List.of();
        }
    }

    private static byte[] coldCopyOf(Map<String, byte[]> copies, ContentHash hash) {
        String path = "/blobs/" + hash.shardedPath() + ".";
        var found = copies.entrySet().stream().filter(e -> e.getKey().contains(path)).map(Map.Entry::getValue).toList();
        assertThat(found.size()).as("cold copies of " + hash).isLessThanOrEqualTo(1);
        return found.isEmpty() ? null : found.getFirst();
    }

    private static byte[] bytes(SplittableRandom random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static void sleepUntil(long t0, long millis) throws InterruptedException {
        long left = millis - (System.nanoTime() - t0) / 1_000_000;
        if (left > 0) {
            Thread.sleep(left);
        }
    }

    private static void put(String bucket, String key, String type, byte[] body) throws Exception {
        var response = putResponse(bucket, key, type, body);
        assertThat(response.statusCode()).as(key + ": " + response.body()).isEqualTo(201);
    }

    private static HttpResponse<String> putResponse(String bucket, String key, String type, byte[] body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(object(bucket, key)).header("Content-Type", type)
            .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<byte[]> get(String bucket, String key) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(object(bucket, key)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(agent.baseUrl() + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(agent.baseUrl() + path)).timeout(Duration.ofMinutes(3))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static URI object(String bucket, String key) {
        return URI.create(agent.baseUrl() + "/v1/objects/" + bucket + "/" + key);
    }

    private static List<String> listKeys(String bucket) throws Exception {
        var keys = new java.util.ArrayList<String>();
        var key = Pattern.compile("\"key\":\"([^\"]+)\"");
        String body = get("/v1/objects/" + bucket + "?limit=1000").body();
        key.matcher(body).results().forEach(m -> keys.add(m.group(1)));
        return keys;
    }

    /** Top-level scalar fields of a JSON object, as strings (quotes removed). */
    private static Map<String, String> fields(String json) {
        var out = new HashMap<String, String>();
        FIELD.matcher(json).results().forEach(m -> out.putIfAbsent(m.group(1), m.group(2).replaceAll("^\"|\"$", "")));
        return out;
    }

    private static String config(Path fallback, long quota) {
        String url = ProvingGround.require("KELP_PG_URL");
        return """
            kelp:
              storage:
                buckets: [%s, %s, %s]
                quota-max-bytes: %d
              fallback:
                dir: %s
              seaweedfs:
                endpoint: %s
                region: %s
                access-key: %s
                secret-key: %s
              metadata:
                url: %s
                username: %s
                password: %s
              reclaim:
                after: 1s
                interval: 1s
              tiering:
                interval: 1h
                lease-ttl: 3s
                access-flush-interval: 500ms
                hot-price-per-gib-month: 0.02
                cold-price-per-gib-month: 0.002
                currency: EUR
                rules:
                  - name: archive
                    match: {prefix: docs/, content-types: [text/*], min-size: 100}
                    cold-after: 2s
                    expire-after: 6s
                    target: {bucket: %s, prefix: kelp/}
                  - name: big
                    match: {prefix: big/}
                    cold-after: 2s
                    target: {bucket: %s, prefix: big/}
                  - name: sealed
                    match: {prefix: sealed/}
                    cold-after: 2s
                    target: {bucket: %s, prefix: sealed/}
            """.formatted(HOT, BIG, SEALED, quota, fallback, ProvingGround.require("KELP_S3_ENDPOINT"), ProvingGround.require("KELP_S3_REGION"),
            ProvingGround.require("KELP_S3_ACCESS_KEY"), ProvingGround.require("KELP_S3_SECRET_KEY"),
            url.substring(0, url.lastIndexOf('/') + 1) + DATABASE, ProvingGround.require("KELP_PG_USER"),
            ProvingGround.require("KELP_PG_PASSWORD"), COLD, COLD, COLD);
    }

    private static java.time.OffsetDateTime lastAccessed(String bucket, String key) throws Exception {
        try (var c = tieringDatabase();
             var st = c.prepareStatement("SELECT last_accessed FROM objects WHERE bucket = ? AND object_key = ?")) {
            st.setString(1, bucket);
            st.setString(2, key);
            try (var rs = st.executeQuery()) {
                assertThat(rs.next()).as(bucket + "/" + key + " has a row").isTrue();
                return rs.getObject(1, java.time.OffsetDateTime.class);
            }
        }
    }

    private static void sql(String statement) throws Exception {
        try (var c = DriverManager.getConnection(ProvingGround.require("KELP_PG_URL"), ProvingGround.require("KELP_PG_USER"),
            ProvingGround.require("KELP_PG_PASSWORD")); var st = c.createStatement()) {
            st.execute(statement);
        }
    }
}
