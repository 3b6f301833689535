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
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The restore drill of issue 7, on the real SeaweedFS and PostgreSQL with the packaged agent:
 * write (part of it while SeaweedFS is killed, so from the fallback volume), back up, change
 * things, back up again; destroy the bucket on SeaweedFS, the whole metadata database and the
 * fallback volume; then restore to the point in time between the two backups and check every
 * object byte for byte, and nothing else there. Along the way: two agents of one policy asked
 * to back up at once run it once (the lease), the second backup copies only new content, and
 * restores that cannot be done are refused with a clear error before anything is written.
 * Then a run whose agent is killed -9 mid-copy: the next run marks it Failed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BackupRestoreIT {

    private static final String RUN = Long.toString(System.currentTimeMillis(), 36);
    private static final String BUCKET = "drill-" + RUN;
    private static final String OTHER = "drill-copy-" + RUN;
    private static final String TARGET = "drill-backups-" + RUN;
    private static final String BIG = "drill-big-" + RUN;
    private static final String DATABASE = "kelp_drill_" + RUN;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ProvingGround.Service seaweedfs = ProvingGround.service("seaweedfs");
    private static final Pattern FIELD = Pattern.compile("\"(\\w+)\":(\"[^\"]*\"|[^,}]+)");

    private static Path work;
    private static AgentProcess agent;

    @BeforeAll
    static void start() throws Exception {
        seaweedfs.start();
        sql("CREATE DATABASE " + DATABASE);
        work = Files.createTempDirectory("kelp-backup-it");
        agent = AgentProcess.start(work.resolve("a"), config(work.resolve("a/fallback")));
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
    void restoreToAPointInTimeAfterLosingTheBucketTheMetadataAndTheFallbackVolume() throws Exception {
        var state = new HashMap<String, byte[]>();
        for (int i = 0; i < 150; i++) {
            put(agent, BUCKET, Workload.key(i), Workload.body(i), state);
        }
        // Fallback: kill SeaweedFS and write on; these objects live on the fallback volume until they drain.
        seaweedfs.kill();
        for (int i = 150; i < 200; i++) {
            put(agent, BUCKET, Workload.key(i), Workload.body(i), state);
        }
        for (int i = 0; i < 10; i++) {
            put(agent, BUCKET, Workload.key(i), Workload.body(10_000 + i), state); // overwritten while in FALLBACK
        }
        // The same content as load/…/object-50 (one blob), with user metadata and tags the restore must bring back.
        var tagged = HTTP.send(HttpRequest.newBuilder(object(agent, BUCKET, "dup/a")).header("Content-Type", "application/octet-stream")
            .header("x-kelp-meta-owner", "ada").header("x-kelp-tagging", "project=kelp&stage=drill%20one")
            .PUT(HttpRequest.BodyPublishers.ofByteArray(Workload.body(50))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(tagged.statusCode()).as(tagged.body()).isEqualTo(201);
        state.put("dup/a", Workload.body(50));
        seaweedfs.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> get(agent, "/v1/mode").body().contains("\"mode\":\"FULL\""));

        // Two agents of the policy asked at once: the lease lets one run, the other is told so.
        var second = AgentProcess.start(work.resolve("b"), config(work.resolve("b/fallback")));
        HttpResponse<String> first;
        HttpResponse<String> other;
        try {
            var a = CompletableFuture.supplyAsync(() -> post(agent, "/v1/backups/drill", null));
            var b = CompletableFuture.supplyAsync(() -> post(second, "/v1/backups/drill", null));
            first = a.get();
            other = b.get();
        } finally {
            second.close();
        }
        assertThat(List.of(first.statusCode(), other.statusCode())).as(first.body() + " / " + other.body()).containsExactlyInAnyOrder(200, 409);
        var backup1 = first.statusCode() == 200 ? fields(first.body()) : fields(other.body());
        assertThat((first.statusCode() == 409 ? first : other).body()).contains("BackupRunning", "lease");
        assertThat(backup1).containsEntry("phase", "Succeeded").containsEntry("objects", "201").containsEntry("verified", "true");
        assertThat(Long.parseLong(backup1.get("uploadedBlobs"))).as("dup/a shares a blob").isEqualTo(200);
        Instant between = Instant.parse(backup1.get("snapshotAt")).plusMillis(1);
        Map<String, byte[]> atBackup1 = Map.copyOf(state);

        // After the first backup: new objects, overwrites, deletes; then a second, incremental, backup.
        for (int i = 200; i < 230; i++) {
            put(agent, BUCKET, Workload.key(i), Workload.body(i), state);
        }
        for (int i = 20; i < 40; i++) {
            put(agent, BUCKET, Workload.key(i), Workload.body(20_000 + i), state);
        }
        for (int i = 40; i < 45; i++) {
            assertThat(HTTP.send(HttpRequest.newBuilder(object(agent, BUCKET, Workload.key(i))).DELETE().build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(204);
            state.remove(Workload.key(i));
        }
        var backup2 = fields(post(agent, "/v1/backups/drill", null).body());
        assertThat(backup2).containsEntry("phase", "Succeeded").containsEntry("objects", Integer.toString(state.size()));
        assertThat(backup2.get("uploadedBlobs")).as("incremental: only the 50 new contents").isEqualTo("50");
        Map<String, byte[]> atBackup2 = Map.copyOf(state);

        // Restores that cannot be done change nothing and say why.
        var tooEarly = post(agent, "/v1/restores", "{\"schedule\":\"drill\",\"at\":\"2020-01-01T00:00:00Z\"}");
        assertThat(tooEarly.statusCode()).isEqualTo(409);
        assertThat(tooEarly.body()).contains("NoRestorePoint", "no backup of schedule drill was taken at or before 2020-01-01T00:00:00Z", "first successful");
        assertThat(post(agent, "/v1/restores", "{\"schedule\":\"weekly\"}").body()).contains("UnknownBackupSchedule", "drill");
        var badBucket = post(agent, "/v1/restores", "{\"schedule\":\"drill\",\"bucket\":\"" + BUCKET + "\",\"targetBucket\":\"elsewhere\"}");
        assertThat(badBucket.statusCode()).isEqualTo(400);
        assertThat(badBucket.body()).contains("elsewhere", "not one of this policy's buckets");
        assertThat(listKeys(agent, OTHER)).as("nothing was restored anywhere").isEmpty();

        // Destroy: the agent, its fallback volume, the bucket on SeaweedFS, the metadata database.
        agent.close();
        agent = null;
        try (S3Client s3 = SeaweedFsClients.direct()) {
            for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(BUCKET)).contents()) {
                s3.deleteObject(b -> b.bucket(BUCKET).key(o.key()));
            }
            assertThat(s3.listObjectsV2(b -> b.bucket(BUCKET)).keyCount()).isZero();
        }
        sql("DROP DATABASE " + DATABASE + " WITH (FORCE)");
        sql("CREATE DATABASE " + DATABASE);
        agent = AgentProcess.start(work.resolve("c"), config(work.resolve("c/fallback")));
        assertThat(listKeys(agent, BUCKET)).as("everything is gone").isEmpty();

        // Restore to the point between the backups, then the newest into another bucket.
        var restore = fields(post(agent, "/v1/restores", "{\"schedule\":\"drill\",\"at\":\"" + between + "\",\"bucket\":\"" + BUCKET + "\"}").body());
        assertThat(restore).containsEntry("backup", backup1.get("id")).containsEntry("phase", "Running");
        var done = awaitRestore(restore.get("id"));
        assertThat(done).containsEntry("phase", "Succeeded").containsEntry("objects", "201").containsEntry("failedObjects", "0");
        assertSameObjects(BUCKET, atBackup1);
        var restoredTagged = HTTP.send(HttpRequest.newBuilder(object(agent, BUCKET, "dup/a")).build(), HttpResponse.BodyHandlers.discarding());
        assertThat(restoredTagged.headers().firstValue("x-kelp-meta-owner")).contains("ada");
        assertThat(restoredTagged.headers().firstValue("x-kelp-tagging")).contains("project=kelp&stage=drill%20one");

        var intoOther = fields(post(agent, "/v1/restores", "{\"schedule\":\"drill\",\"bucket\":\"" + BUCKET + "\",\"targetBucket\":\"" + OTHER + "\"}").body());
        assertThat(intoOther).containsEntry("backup", backup2.get("id"));
        assertThat(awaitRestore(intoOther.get("id"))).containsEntry("phase", "Succeeded");
        assertSameObjects(OTHER, atBackup2);
        assertSameObjects(BUCKET, atBackup1);

        var listed = get(agent, "/v1/backups/drill").body();
        assertThat(listed).contains(backup1.get("id"), backup2.get("id"));
        assertThat(listed.indexOf(backup2.get("id"))).as("newest first").isLessThan(listed.indexOf(backup1.get("id")));
    }

    @Test
    @Order(2)
    void aRunWhoseRunnerWasKilledIsMarkedFailedByTheNextRunNotLeftRunning() throws Exception {
        var big = new HashMap<String, byte[]>();
        var random = new java.util.SplittableRandom(7);
        for (int i = 0; i < 6; i++) {
            byte[] body = new byte[32 << 20];
            random.nextBytes(body);
            put(agent, BIG, "big-" + i, body, big);
        }
        var running = CompletableFuture.runAsync(() -> post(agent, "/v1/backups/crash", null));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
            .until(() -> get(agent, "/v1/backups/crash").body().contains("\"phase\":\"Running\""));
        agent.kill();
        running.handle((ok, e) -> null).get();
        agent = AgentProcess.start(work.resolve("d"), config(work.resolve("d/fallback")));
        assertThat(get(agent, "/v1/backups/crash").body()).as("the dead run still says Running until a runner looks").contains("\"phase\":\"Running\"");

        Thread.sleep(3_500); // the dead runner's lease (kelp.backups.lease-ttl) runs out
        var next = fields(post(agent, "/v1/backups/crash", null).body());
        assertThat(next).containsEntry("phase", "Succeeded");

        String listed = get(agent, "/v1/backups/crash").body();
        assertThat(listed).doesNotContain("\"phase\":\"Running\"").contains("\"phase\":\"Failed\"", "stopped before it finished");
    }

    private static void assertSameObjects(String bucket, Map<String, byte[]> expected) throws Exception {
        assertThat(listKeys(agent, bucket)).containsExactlyInAnyOrderElementsOf(expected.keySet());
        for (var e : expected.entrySet()) {
            var response = HTTP.send(HttpRequest.newBuilder(object(agent, bucket, e.getKey())).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(response.statusCode()).as(e.getKey()).isEqualTo(200);
            assertThat(ContentHash.ofBytes(response.body())).as(bucket + "/" + e.getKey()).isEqualTo(ContentHash.ofBytes(e.getValue()));
        }
    }

    private static Map<String, String> awaitRestore(String id) {
        return await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
            .until(() -> fields(get(agent, "/v1/restores/" + id).body()), f -> !"Running".equals(f.get("phase")));
    }

    private static List<String> listKeys(AgentProcess a, String bucket) throws Exception {
        var keys = new java.util.ArrayList<String>();
        String cursor = null;
        var key = Pattern.compile("\"key\":\"([^\"]+)\"");
        var next = Pattern.compile("\"nextCursor\":\"([^\"]+)\"");
        do {
            String body = get(a, "/v1/objects/" + bucket + "?limit=1000" + (cursor == null ? "" : "&cursor=" + cursor)).body();
            key.matcher(body).results().forEach(m -> keys.add(m.group(1)));
            var m = next.matcher(body);
            cursor = m.find() ? m.group(1) : null;
        } while (cursor != null);
        return keys;
    }

    private static void put(AgentProcess a, String bucket, String key, byte[] body, Map<String, byte[]> state) throws Exception {
        var response = HTTP.send(HttpRequest.newBuilder(object(a, bucket, key)).header("Content-Type", "application/octet-stream")
            .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        state.put(key, body);
    }

    private static URI object(AgentProcess a, String bucket, String key) {
        return URI.create(a.baseUrl() + "/v1/objects/" + bucket + "/" + key);
    }

    private static HttpResponse<String> get(AgentProcess a, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(a.baseUrl() + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(AgentProcess a, String path, String json) {
        try {
            var request = HttpRequest.newBuilder(URI.create(a.baseUrl() + path)).timeout(Duration.ofMinutes(3));
            request = json == null ? request.POST(HttpRequest.BodyPublishers.noBody())
                : request.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Top-level scalar fields of a JSON object, as strings (quotes removed). */
    private static Map<String, String> fields(String json) {
        var out = new HashMap<String, String>();
        FIELD.matcher(json).results().forEach(m -> out.putIfAbsent(m.group(1), m.group(2).replaceAll("^\"|\"$", "")));
        return out;
    }

    private static String config(Path fallback) {
        String url = ProvingGround.require("KELP_PG_URL");
        return """
            kelp:
              storage:
                buckets: [%s, %s, %s]
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
              backups:
                schedules:
                  - name: drill
                    schedule: 0 0 1 1 *
                    target: {bucket: %s, prefix: kelp/}
                    retention: {keep-last: 5}
                    verify: true
                  - name: crash
                    schedule: 0 0 1 1 *
                    target: {bucket: %s, prefix: crash/}
                lease-ttl: 3s
              # Objects of 256 KiB and more are kept as chunks (block-level dedup): the drill backs
              # them up from their chunks and restores them as chunks again.
              dedup:
                blocks:
                  enabled: true
                  min-object-size: 256KiB
                  average-chunk: 16KiB
            """.formatted(BUCKET, OTHER, BIG, fallback, ProvingGround.require("KELP_S3_ENDPOINT"), ProvingGround.require("KELP_S3_REGION"),
            ProvingGround.require("KELP_S3_ACCESS_KEY"), ProvingGround.require("KELP_S3_SECRET_KEY"),
            url.substring(0, url.lastIndexOf('/') + 1) + DATABASE, ProvingGround.require("KELP_PG_USER"),
            ProvingGround.require("KELP_PG_PASSWORD"), TARGET, TARGET);
    }

    private static void sql(String statement) throws Exception {
        try (var c = DriverManager.getConnection(ProvingGround.require("KELP_PG_URL"), ProvingGround.require("KELP_PG_USER"),
            ProvingGround.require("KELP_PG_PASSWORD")); var st = c.createStatement()) {
            st.execute(statement);
        }
    }
}
