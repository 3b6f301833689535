package dev.kelp.agent.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kelp.agent.blob.chunks.ChunkManifest;
import dev.kelp.agent.object.ContentHash;
import dev.kelp.agent.provingground.SeaweedFsClients;
import dev.kelp.testkit.ProvingGround;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Block-level dedup through the packaged agent on the real SeaweedFS and PostgreSQL: similar
 * large objects share their chunks on SeaweedFS (counted there directly, not through the
 * agent), read back byte for byte whole and in ranges, go when their last user goes, and
 * nothing acknowledged is lost when SeaweedFS, PostgreSQL or the agent itself is killed
 * mid-write.
 */
class BlockDedupIT {

    private static final int MIB = 1 << 20;
    private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ProvingGround.Service seaweedfs = ProvingGround.service("seaweedfs");
    private static final ProvingGround.Service postgres = ProvingGround.service("postgres");
    private static final Pattern BLOCK_SAVED = Pattern.compile("kelp_dedup_block_saved_bytes\\{bucket=\"([^\"]+)\"[^}]*} ([0-9.E+]+)");

    private AgentProcess agent;

    @AfterEach
    void stop() throws Exception {
        if (!seaweedfs.healthy()) {
            seaweedfs.start();
        }
        if (!postgres.healthy()) {
            postgres.start();
        }
        if (agent != null) {
            agent.close();
        }
    }

    private AgentProcess start(Path work, String bucket) throws Exception {
        return AgentProcess.start(work, config(work, bucket));
    }

    private static String config(Path work, String bucket) {
        // Chunks of 64 KiB on average from 1 MiB up: the same code paths as the 1 MiB default, with
        // objects small enough to write many of in a test.
        return ProvingGroundConfig.render(work.resolve("fallback"), List.of(bucket)) + """
              dedup:
                blocks:
                  enabled: true
                  min-object-size: 1MiB
                  average-chunk: 64KiB
              reclaim:
                after: 1s
                interval: 1s
            """;
    }

    @Test
    void similarLargeObjectsShareTheirChunksAndReadBackWholeAndInRanges() throws Exception {
        String bucket = bucket("share");
        agent = start(Files.createTempDirectory("kelp-blocks-share"), bucket);
        byte[] original = random(6 * MIB, 1);
        byte[] inserted = insert(original, 3 * MIB, random(1000, 2));
        byte[] edited = original.clone();
        System.arraycopy(random(100 << 10, 3), 0, edited, 0, 100 << 10);
        byte[] small = random(200 << 10, 4);
        Map<String, byte[]> objects = Map.of("v1.img", original, "v2.img", inserted, "v3.img", edited, "small.bin", small);
        for (var object : objects.entrySet()) {
            var put = put(bucket, object.getKey(), object.getValue());
            assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
            assertThat(put.headers().firstValue("ETag")).contains("\"" + ContentHash.ofBytes(object.getValue()).hex() + "\"");
        }

        try (S3Client s3 = SeaweedFsClients.direct()) {
            long chunkBytes = sizeUnder(s3, bucket, "chunks/");
            long logical = original.length + inserted.length + edited.length;
            System.out.printf("block dedup IT: 3 similar objects of 6 MiB (%d bytes) stored as %d bytes of chunks (%.2f×)%n",
                logical, chunkBytes, (double) chunkBytes / logical);
            assertThat(chunkBytes).as("chunk bytes on SeaweedFS for three similar 6 MiB objects")
                .isLessThan(original.length + (long) MIB);
            for (byte[] large : List.of(original, inserted, edited)) {
                ContentHash hash = ContentHash.ofBytes(large);
                assertThat(exists(s3, bucket, "blobs/" + hash.shardedPath())).as("no whole copy of a chunked blob").isFalse();
                assertThat(reassembled(s3, bucket, hash)).as("the manifest and chunks on SeaweedFS make the content").isEqualTo(hash);
            }
            ContentHash smallHash = ContentHash.ofBytes(small);
            assertThat(exists(s3, bucket, "blobs/" + smallHash.shardedPath())).as("below min-object-size: whole, as before").isTrue();
        }

        for (var object : objects.entrySet()) {
            assertThat(get(bucket, object.getKey(), null)).as("GET %s", object.getKey()).isEqualTo(object.getValue());
        }
        // Ranges that start, end and cross chunk boundaries somewhere in the middle of the object.
        for (long[] range : new long[][] {{0, 0}, {65_000, 70_000}, {1_000_000, 3_500_000}, {inserted.length - 1, inserted.length - 1}}) {
            byte[] expected = Arrays.copyOfRange(inserted, (int) range[0], (int) range[1] + 1);
            assertThat(get(bucket, "v2.img", "bytes=" + range[0] + "-" + range[1])).as("range %d-%d", range[0], range[1]).isEqualTo(expected);
        }
        // A presigned URL straight to SeaweedFS could not serve a manifest: the agent signs its own.
        var signed = http.send(HttpRequest.newBuilder(URI.create(agent.baseUrl() + "/v1/signed-urls"))
            .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                "{\"bucket\":\"" + bucket + "\",\"key\":\"v2.img\",\"expiresInSeconds\":300}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(signed.statusCode()).as(signed.body()).isEqualTo(201);
        String url = signed.body().replaceAll(".*\"url\":\"([^\"]+)\".*", "$1");
        assertThat(url).as("signed by the agent").startsWith(agent.baseUrl());
        assertThat(http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray()).body()).isEqualTo(inserted);

        long saved = awaitBlockSaved(bucket, 4L * MIB);
        System.out.printf("block dedup IT: kelp_dedup_block_saved_bytes = %d%n", saved);
    }

    @Test
    void chunksGoOnlyWhenNoObjectUsesThemAnyMore() throws Exception {
        String bucket = bucket("reclaim");
        agent = start(Files.createTempDirectory("kelp-blocks-reclaim"), bucket);
        byte[] first = random(3 * MIB, 5);
        byte[] second = insert(first, MIB, random(10, 6));
        assertThat(put(bucket, "a.img", first).statusCode()).isEqualTo(201);
        assertThat(put(bucket, "b.img", second).statusCode()).isEqualTo(201);
        try (S3Client s3 = SeaweedFsClients.direct()) {
            long bothStored = sizeUnder(s3, bucket, "chunks/");
            assertThat(delete(bucket, "a.img")).isEqualTo(204);
            // The reclaimer runs every second; give it a few rounds to remove a's own chunks.
            awaitTrue(() -> sizeUnder(s3, bucket, "chunks/") < bothStored && !exists(s3, bucket, ChunkedKeys.manifest(ContentHash.ofBytes(first))),
                "a's manifest and its own chunks reclaimed");
            assertThat(get(bucket, "b.img", null)).as("b keeps the chunks it shared with a").isEqualTo(second);
            assertThat(reassembled(s3, bucket, ContentHash.ofBytes(second))).isEqualTo(ContentHash.ofBytes(second));

            assertThat(delete(bucket, "b.img")).isEqualTo(204);
            awaitTrue(() -> sizeUnder(s3, bucket, "chunks/") == 0 && sizeUnder(s3, bucket, "blobs/") == 0, "every chunk and manifest reclaimed");
        }
    }

    @Test
    void killingSeaweedFsMidWriteLosesNothingAndTheDrainStoresChunks() throws Exception {
        String bucket = bucket("outage");
        agent = start(Files.createTempDirectory("kelp-blocks-outage"), bucket);
        int objects = 40;
        Map<Integer, byte[]> acknowledged = writeSimilarObjects(bucket, "o", objects, 8, 7, 10, seaweedfs::kill);
        assertThat(seaweedfs.healthy()).isFalse();

        seaweedfs.start();
        agent.awaitDrained(Duration.ofMinutes(3));
        try (S3Client s3 = SeaweedFsClients.direct()) {
            for (var object : acknowledged.entrySet()) {
                ContentHash hash = ContentHash.ofBytes(object.getValue());
                assertThat(reassembled(s3, bucket, hash)).as("object %d as chunks on SeaweedFS", object.getKey()).isEqualTo(hash);
                assertThat(get(bucket, "o" + object.getKey() + ".img", null)).isEqualTo(object.getValue());
            }
            long logical = acknowledged.values().stream().mapToLong(b -> b.length).sum();
            long stored = sizeUnder(s3, bucket, "chunks/");
            System.out.printf("block dedup IT: %d similar 2 MiB objects written across a SeaweedFS kill: %d bytes as %d of chunks%n",
                objects, logical, stored);
            assertThat(stored).as("similar objects drained from the fallback volume share chunks too").isLessThan(logical / 4);
        }
    }

    @Test
    void killingPostgresMidWriteLosesNothingAndBlobsThatCannotBeChunkedGoWhole() throws Exception {
        String bucket = bucket("pg");
        agent = start(Files.createTempDirectory("kelp-blocks-pg"), bucket);
        int objects = 24;
        Map<Integer, byte[]> acknowledged;
        try {
            acknowledged = writeSimilarObjects(bucket, "p", objects, 4, 11, 6, postgres::kill);
            assertThat(postgres.healthy()).isFalse();
            // Read-your-writes while the database is down, from the journal and the fallback volume.
            for (var object : acknowledged.entrySet()) {
                assertThat(get(bucket, "p" + object.getKey() + ".img", null)).isEqualTo(object.getValue());
            }
        } finally {
            if (!postgres.healthy()) {
                postgres.start();
            }
        }
        agent.awaitDrained(Duration.ofMinutes(3));
        awaitTrue(() -> agent.mode().contains("\"mode\":\"FULL\""), "FULL once the journal has replayed");
        try (S3Client s3 = SeaweedFsClients.direct()) {
            int chunked = 0;
            for (var object : acknowledged.entrySet()) {
                ContentHash hash = ContentHash.ofBytes(object.getValue());
                if (exists(s3, bucket, ChunkedKeys.manifest(hash))) {
                    assertThat(reassembled(s3, bucket, hash)).as("object %d as chunks on SeaweedFS", object.getKey()).isEqualTo(hash);
                    chunked++;
                } else {
                    byte[] whole = s3.getObjectAsBytes(b -> b.bucket(bucket).key("blobs/" + hash.shardedPath())).asByteArray();
                    assertThat(ContentHash.ofBytes(whole)).as("object %d whole on SeaweedFS", object.getKey()).isEqualTo(hash);
                }
                assertThat(get(bucket, "p" + object.getKey() + ".img", null)).isEqualTo(object.getValue());
            }
            System.out.printf("block dedup IT: PostgreSQL killed mid-write: %d of %d objects chunked, the rest whole%n", chunked, objects);
            assertThat(chunked).as("written before the kill, as chunks").isPositive();
        }
    }

    @Test
    void killingTheAgentMidChunkUploadLeavesNoPartialObject() throws Exception {
        String bucket = bucket("kill");
        Path work = Files.createTempDirectory("kelp-blocks-kill");
        String config = config(work, bucket);
        agent = AgentProcess.start(work, config);
        byte[] kept = random(2 * MIB, 8);
        assertThat(put(bucket, "disk.img", kept).statusCode()).isEqualTo(201);

        // A 64 MiB replacement is ~1,000 chunks of 64 KiB: the agent is killed once some are on
        // SeaweedFS and before its manifest is.
        byte[] replacement = random(64 * MIB, 9);
        ContentHash replacementHash = ContentHash.ofBytes(replacement);
        CompletableFuture<HttpResponse<String>> upload = http.sendAsync(HttpRequest.newBuilder(uri(bucket, "disk.img"))
            .header("Content-Type", "application/octet-stream").PUT(HttpRequest.BodyPublishers.ofByteArray(replacement)).build(),
            HttpResponse.BodyHandlers.ofString());
        try (S3Client s3 = SeaweedFsClients.direct()) {
            long keptChunks = sizeUnder(s3, bucket, "chunks/");
            awaitTrue(() -> sizeUnder(s3, bucket, "chunks/") > keptChunks + 4L * MIB, "the replacement's chunks being uploaded");
            agent.kill();
            assertThat(exists(s3, bucket, ChunkedKeys.manifest(replacementHash))).as("killed before the manifest").isFalse();
        }
        assertThatThrownBy(() -> upload.get(30, TimeUnit.SECONDS)).as("the killed agent acknowledged nothing");

        agent = AgentProcess.start(work, config, agent.port());
        assertThat(get(bucket, "disk.img", null)).as("the acknowledged version, whole").isEqualTo(kept);
        // Writing it again finishes the job, sharing the chunks the killed upload left.
        assertThat(put(bucket, "disk.img", replacement).statusCode()).isEqualTo(201);
        assertThat(get(bucket, "disk.img", null)).isEqualTo(replacement);
        agent.awaitDrained(Duration.ofMinutes(2)); // written before the restarted agent may have seen SeaweedFS healthy
        try (S3Client s3 = SeaweedFsClients.direct()) {
            assertThat(reassembled(s3, bucket, replacementHash)).isEqualTo(replacementHash);
        }
    }

    // --- helpers

    /**
     * {@code objects} variants of one 2 MiB base (each with a few bytes inserted somewhere, so
     * they share most chunks), written by {@code clients} threads as {@code <prefix><i>.img};
     * {@code kill} runs once {@code killAfter} are acknowledged. Asserts that none failed.
     */
    private Map<Integer, byte[]> writeSimilarObjects(String bucket, String prefix, int objects, int clients, long seed,
                                                     int killAfter, Runnable kill) throws Exception {
        byte[] base = random(2 * MIB, seed);
        Map<Integer, byte[]> acknowledged = new ConcurrentHashMap<>();
        Map<Integer, String> failures = new ConcurrentHashMap<>();
        AtomicInteger next = new AtomicInteger();
        AtomicBoolean killed = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        for (int c = 0; c < clients; c++) {
            pool.submit(() -> {
                for (int i = next.getAndIncrement(); i < objects; i = next.getAndIncrement()) {
                    byte[] body = insert(base, (i * 37_123) % base.length, random(100 + i, seed * 1000 + i));
                    try {
                        var response = put(bucket, prefix + i + ".img", body);
                        if (response.statusCode() == 201) {
                            acknowledged.put(i, body);
                        } else {
                            failures.put(i, response.statusCode() + " " + response.body());
                        }
                    } catch (Exception e) {
                        failures.put(i, e.toString());
                    }
                    if (acknowledged.size() >= killAfter && killed.compareAndSet(false, true)) {
                        kill.run();
                    }
                }
                return null;
            });
        }
        pool.shutdown();
        assertThat(pool.awaitTermination(5, TimeUnit.MINUTES)).isTrue();
        assertThat(failures).as("failed requests").isEmpty();
        assertThat(acknowledged).hasSize(objects);
        assertThat(killed).as("killed mid-write").isTrue();
        return acknowledged;
    }

    private static String bucket(String what) {
        return "blocks-" + what + "-" + Long.toString(System.nanoTime(), 36);
    }

    private URI uri(String bucket, String key) {
        return URI.create(agent.baseUrl() + "/v1/objects/" + bucket + "/" + key);
    }

    private HttpResponse<String> put(String bucket, String key, byte[] body) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(bucket, key)).header("Content-Type", "application/octet-stream")
            .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private byte[] get(String bucket, String key, String range) throws Exception {
        var request = HttpRequest.newBuilder(uri(bucket, key));
        if (range != null) {
            request.header("Range", range);
        }
        var response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).as("GET %s %s", key, range).isEqualTo(range == null ? 200 : 206);
        return response.body();
    }

    private int delete(String bucket, String key) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(bucket, key)).DELETE().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private long awaitBlockSaved(String bucket, long atLeast) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        long last = -1;
        while (System.nanoTime() < deadline) {
            String metrics = http.send(HttpRequest.newBuilder(URI.create(agent.baseUrl() + "/prometheus")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
            Matcher m = BLOCK_SAVED.matcher(metrics);
            while (m.find()) {
                if (m.group(1).equals(bucket) && !m.group(2).equals("NaN")) {
                    last = (long) Double.parseDouble(m.group(2));
                }
            }
            if (last >= atLeast) {
                return last;
            }
            Thread.sleep(1000);
        }
        throw new AssertionError("kelp_dedup_block_saved_bytes for " + bucket + " stayed at " + last + ", expected at least " + atLeast);
    }

    private static ContentHash reassembled(S3Client s3, String bucket, ContentHash blob) {
        byte[] manifestBytes = s3.getObjectAsBytes(b -> b.bucket(bucket).key(ChunkedKeys.manifest(blob))).asByteArray();
        ChunkManifest manifest = ChunkManifest.decode(manifestBytes, blob);
        MessageDigest digest = ContentHash.newDigest();
        for (var chunk : manifest.chunks()) {
            byte[] bytes = s3.getObjectAsBytes(b -> b.bucket(bucket).key("chunks/" + chunk.hash().shardedPath())).asByteArray();
            assertThat(ContentHash.ofBytes(bytes)).as("chunk %s on SeaweedFS", chunk.hash()).isEqualTo(chunk.hash());
            digest.update(bytes);
        }
        return ContentHash.of(digest);
    }

    private static long sizeUnder(S3Client s3, String bucket, String prefix) {
        return s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents().stream().mapToLong(S3Object::size).sum();
    }

    private static boolean exists(S3Client s3, String bucket, String key) {
        try {
            s3.headObject(b -> b.bucket(bucket).key(key));
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

    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void awaitTrue(Condition condition, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(20);
        }
    }

    private static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        var random = new SplittableRandom(seed);
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) random.nextInt(256);
        }
        return bytes;
    }

    private static byte[] insert(byte[] into, int at, byte[] what) {
        byte[] out = new byte[into.length + what.length];
        System.arraycopy(into, 0, out, 0, at);
        System.arraycopy(what, 0, out, at, what.length);
        System.arraycopy(into, at, out, at + what.length, into.length - at);
        return out;
    }

    /** Where the agent keeps a chunked blob on SeaweedFS (docs/agent-config.md, block-level dedup). */
    private static final class ChunkedKeys {
        static String manifest(ContentHash blob) {
            return "blobs/" + blob.shardedPath() + ".chunks";
        }
    }
}
