package dev.kelp.agent.e2e;

import static dev.kelp.agent.e2e.EncryptedAgent.indexOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kelp.agent.mode.Mode;
import dev.kelp.agent.object.ContentHash;
import dev.kelp.testkit.ProvingGround;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Encryption at rest on the real SeaweedFS and PostgreSQL: what lies on SeaweedFS and on the
 * fallback volume is not the plaintext, what comes back through the agent is (whole and in
 * ranges, including objects written during an outage and drained after it), dedup still stores
 * identical content once, and a wrong key is a clear error that changes nothing.
 */
class EncryptionAtRestIT {

    private static final int SEG = 64 * 1024;
    private static final byte[] KEY = EncryptedAgent.newKey(101);

    @TempDir
    Path work;

    private final String bucket = "enc-" + Long.toString(System.nanoTime(), 36);
    private TcpGate gate;
    private S3Client s3;
    private EncryptedAgent agent;

    @BeforeEach
    void gate() {
        URI endpoint = URI.create(ProvingGround.require("KELP_S3_ENDPOINT"));
        gate = new TcpGate(endpoint.getHost(), endpoint.getPort());
        gate.open();
        s3 = EncryptedAgent.plainS3();
    }

    @AfterEach
    void close() {
        if (agent != null) {
            agent.close();
        }
        gate.close();
        s3.close();
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private void assertReadsBack(String key, byte[] content) throws Exception {
        var whole = agent.get(key);
        assertThat(whole.statusCode()).isEqualTo(200);
        assertThat(whole.body()).as("GET %s", key).isEqualTo(content);
        int[][] ranges = {{0, 0}, {SEG - 2, SEG + 1}, {content.length - 7, content.length - 1}, {1, 1}};
        for (int[] r : ranges) {
            var part = agent.get(key, "Range", "bytes=" + r[0] + "-" + r[1]);
            assertThat(part.statusCode()).isEqualTo(206);
            int last = Math.min(r[1], content.length - 1);
            assertThat(part.body()).as("GET %s bytes=%d-%d", key, r[0], r[1]).isEqualTo(Arrays.copyOfRange(content, r[0], last + 1));
        }
    }

    @Test
    void theRawBytesOnSeaweedFsAndTheFallbackVolumeAreNotThePlaintextWhileReadsAreByteIdentical() throws Exception {
        Path keys = work.resolve("keys");
        EncryptedAgent.mountSecret(keys, KEY);
        agent = new EncryptedAgent(work.resolve("fallback"), bucket, gate, keys, Map.of());
        agent.awaitMode(Mode.FULL);

        byte[] direct = random(SEG * 16 + 123, 1);
        assertThat(agent.put("direct.bin", direct).statusCode()).isEqualTo(201);
        ContentHash directHash = ContentHash.ofBytes(direct);
        var stored = EncryptedAgent.objects(s3, bucket, "blobs/");
        assertThat(stored).containsOnlyKeys("blobs/" + directHash.shardedPath() + ".enc");
        byte[] raw = stored.values().iterator().next();
        assertThat(indexOf(raw, Arrays.copyOfRange(direct, 5000, 5032))).as("plaintext on SeaweedFS").isEqualTo(-1);
        assertThat(raw.length).isEqualTo(111 + 17 * 16 + direct.length);
        assertReadsBack("direct.bin", direct);

        // SeaweedFS out of reach: the write lands on the fallback volume, encrypted there too.
        gate.shut();
        agent.awaitMode(Mode.FALLBACK);
        byte[] queued = random(SEG * 3 + 5, 2);
        assertThat(agent.put("queued.bin", queued).statusCode()).isEqualTo(201);
        ContentHash queuedHash = ContentHash.ofBytes(queued);
        Path local = work.resolve("fallback/blobs/" + bucket + "/" + queuedHash.shardedPath() + ".enc");
        assertThat(local).exists();
        assertThat(work.resolve("fallback/blobs/" + bucket + "/" + queuedHash.shardedPath())).doesNotExist();
        assertThat(indexOf(Files.readAllBytes(local), Arrays.copyOfRange(queued, 100, 132))).as("plaintext on the fallback volume").isEqualTo(-1);
        try (Stream<Path> files = Files.walk(work.resolve("fallback"))) {
            byte[] sample = Arrays.copyOfRange(queued, 70_000, 70_032);
            assertThat(files.filter(Files::isRegularFile).filter(f -> {
                try {
                    return indexOf(Files.readAllBytes(f), sample) >= 0;
                } catch (java.io.IOException e) {
                    return false;
                }
            })).as("no file of the fallback volume holds the plaintext").isEmpty();
        }
        assertReadsBack("queued.bin", queued);

        // Back: the drain copies the encrypted bytes as they are, verified by decrypting them.
        gate.open();
        agent.awaitMode(Mode.FULL);
        agent.awaitDrained();
        assertThat(local).doesNotExist();
        byte[] drained = s3.getObjectAsBytes(g -> g.bucket(bucket).key("blobs/" + queuedHash.shardedPath() + ".enc")).asByteArray();
        assertThat(Arrays.copyOf(drained, 8)).isEqualTo("KELPENC1".getBytes());
        assertThat(indexOf(drained, Arrays.copyOfRange(queued, 100, 132))).isEqualTo(-1);
        assertReadsBack("queued.bin", queued);

        // Dedup within the bucket still works: same content, another key, stored once.
        assertThat(agent.put("copy-of-direct.bin", direct).statusCode()).isEqualTo(201);
        assertThat(EncryptedAgent.objects(s3, bucket, "blobs/").keySet()).containsExactlyInAnyOrder(
            "blobs/" + directHash.shardedPath() + ".enc", "blobs/" + queuedHash.shardedPath() + ".enc");
        assertReadsBack("copy-of-direct.bin", direct);
        var head = EncryptedAgent.HTTP.send(java.net.http.HttpRequest.newBuilder(agent.uri("copy-of-direct.bin"))
            .method("HEAD", java.net.http.HttpRequest.BodyPublishers.noBody()).build(), java.net.http.HttpResponse.BodyHandlers.discarding());
        assertThat(head.headers().firstValue("ETag")).as("the ETag is the plaintext's SHA-256").contains("\"" + directHash.hex() + "\"");
    }

    @Test
    void objectsWrittenBeforeEncryptionWasTurnedOnStayReadableAndDedupAfterIt() throws Exception {
        agent = new EncryptedAgent(work.resolve("fallback"), bucket, gate, null, Map.of());
        agent.awaitMode(Mode.FULL);
        byte[] direct = random(SEG * 2 + 9, 5);
        assertThat(agent.put("direct.bin", direct).statusCode()).isEqualTo(201);
        gate.shut();
        agent.awaitMode(Mode.FALLBACK);
        byte[] queued = random(SEG + 1, 6);
        assertThat(agent.put("queued.bin", queued).statusCode()).isEqualTo(201);
        gate.open();
        agent.awaitMode(Mode.FULL);
        agent.awaitDrained();
        String directBlob = "blobs/" + ContentHash.ofBytes(direct).shardedPath();
        String queuedBlob = "blobs/" + ContentHash.ofBytes(queued).shardedPath();
        var plain = EncryptedAgent.objects(s3, bucket, "blobs/");
        assertThat(plain).containsOnlyKeys(directBlob, queuedBlob);
        assertThat(plain.get(directBlob)).as("encryption off: stored as sent, as before").isEqualTo(direct);
        assertThat(plain.get(queuedBlob)).isEqualTo(queued);
        agent.close();

        // Turned on: the old blobs read as they are, new ones are encrypted, dedup sees the old ones.
        Path keys = work.resolve("keys");
        EncryptedAgent.mountSecret(keys, KEY);
        agent = new EncryptedAgent(work.resolve("fallback-2"), bucket, gate, keys, Map.of());
        agent.awaitMode(Mode.FULL);
        assertReadsBack("direct.bin", direct);
        assertReadsBack("queued.bin", queued);
        byte[] fresh = random(SEG * 2 + 1, 7);
        assertThat(agent.put("fresh.bin", fresh).statusCode()).isEqualTo(201);
        assertThat(agent.put("direct-again.bin", direct).statusCode()).isEqualTo(201);
        String freshBlob = "blobs/" + ContentHash.ofBytes(fresh).shardedPath() + ".enc";
        assertThat(EncryptedAgent.objects(s3, bucket, "blobs/").keySet()).containsExactlyInAnyOrder(directBlob, queuedBlob, freshBlob);
        assertReadsBack("direct-again.bin", direct);
        assertReadsBack("fresh.bin", fresh);
        agent.close();

        // Off again and the key dropped: an encrypted blob is a clear error, never its ciphertext.
        agent = new EncryptedAgent(work.resolve("fallback-3"), bucket, gate, null, Map.of());
        agent.awaitMode(Mode.FULL);
        var refused = agent.get("fresh.bin");
        assertThat(refused.statusCode()).isEqualTo(500);
        assertThat(new String(refused.body())).contains("EncryptionKeyUnavailable").contains("no encryption key is configured");
        assertThat(agent.get("direct.bin").body()).isEqualTo(direct);
    }

    @Test
    void aWrongKeyIsAClearErrorThatChangesNothingAndTheRightKeyReadsEverythingAgain() throws Exception {
        Path keys = work.resolve("keys");
        EncryptedAgent.mountSecret(keys, KEY);
        agent = new EncryptedAgent(work.resolve("fallback"), bucket, gate, keys, Map.of());
        agent.awaitMode(Mode.FULL);
        byte[] a = random(SEG + 10, 3);
        byte[] b = random(1000, 4);
        assertThat(agent.put("a.bin", a).statusCode()).isEqualTo(201);
        assertThat(agent.put("b.bin", b).statusCode()).isEqualTo(201);
        agent.close();
        var before = EncryptedAgent.objects(s3, bucket, "");

        // Another agent of the same policy, given the wrong Secret.
        byte[] wrong = EncryptedAgent.newKey(999);
        Path wrongKeys = work.resolve("wrong-keys");
        EncryptedAgent.mountSecret(wrongKeys, wrong);
        Instant started = Instant.now();
        agent = new EncryptedAgent(work.resolve("fallback-2"), bucket, gate, wrongKeys, Map.of());
        agent.awaitMode(Mode.FULL);
        var refused = agent.get("a.bin");
        assertThat(refused.statusCode()).isEqualTo(500);
        assertThat(new String(refused.body())).contains("\"code\":\"EncryptionKeyUnavailable\"")
            .contains(EncryptedAgent.idOf(KEY)).contains(EncryptedAgent.idOf(wrong));
        assertThat(agent.get("b.bin", "Range", "bytes=10-20").statusCode()).isEqualTo(500);
        // The re-wrapper sees both blobs under a key it does not hold, and leaves them alone.
        agent.rewrapper().requestScan();
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> agent.rewrapper().lastScan()
            .filter(s -> s.startedAt().isAfter(started)).isPresent());
        var scan = agent.rewrapper().lastScan().orElseThrow();
        assertThat(scan.remaining()).isEqualTo(2);
        assertThat(scan.unknownKeys()).containsOnlyKeys(EncryptedAgent.idOf(KEY));
        assertThat(EncryptedAgent.objects(s3, bucket, "")).as("nothing on SeaweedFS changed")
            .usingRecursiveComparison().isEqualTo(before);

        // The right Secret mounted: readable again, without a restart.
        EncryptedAgent.mountSecret(wrongKeys, KEY);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> agent.get("a.bin").statusCode() == 200);
        assertReadsBack("a.bin", a);
        assertThat(agent.get("b.bin").body()).isEqualTo(b);
    }

    @Test
    void aBlobAlteredOnSeaweedFsIsAClearErrorOrACutResponseNeverWrongBytes() throws Exception {
        Path keys = work.resolve("keys");
        EncryptedAgent.mountSecret(keys, KEY);
        agent = new EncryptedAgent(work.resolve("fallback"), bucket, gate, keys, Map.of());
        agent.awaitMode(Mode.FULL);
        byte[] content = random(SEG * 5 + 10, 8); // above the small-object cache (256 KiB): streamed
        assertThat(agent.put("victim.bin", content).statusCode()).isEqualTo(201);
        String blob = "blobs/" + ContentHash.ofBytes(content).shardedPath() + ".enc";
        byte[] stored = s3.getObjectAsBytes(g -> g.bucket(bucket).key(blob)).asByteArray();

        // One bit flipped in segment 2, behind the agent's back.
        byte[] altered = stored.clone();
        altered[111 + 2 * (SEG + 16) + 5] ^= 1;
        s3.putObject(b -> b.bucket(bucket).key(blob), software.amazon.awssdk.core.sync.RequestBody.fromBytes(altered));

        var untouched = agent.get("victim.bin", "Range", "bytes=10-" + (SEG + 10));
        assertThat(untouched.statusCode()).as("segments 0 and 1 still authenticate").isEqualTo(206);
        assertThat(untouched.body()).isEqualTo(Arrays.copyOfRange(content, 10, SEG + 11));
        var inside = agent.get("victim.bin", "Range", "bytes=" + (2 * SEG + 1) + "-" + (2 * SEG + 100));
        assertThat(inside.statusCode()).isEqualTo(500);
        assertThat(new String(inside.body())).contains("\"code\":\"BlobCorrupt\"").contains("segment 2");
        try {
            var whole = agent.get("victim.bin");
            // The status went out with segment 0: the body must then end short of the object.
            assertThat(whole.body().length).as("a response that passed the altered segment").isLessThan(content.length);
            assertThat(whole.body()).isEqualTo(Arrays.copyOf(content, whole.body().length));
        } catch (java.io.IOException cut) {
            // The connection was cut mid-body: what a client must see, rather than wrong bytes.
        }
        s3.putObject(b -> b.bucket(bucket).key(blob), software.amazon.awssdk.core.sync.RequestBody.fromBytes(stored));
        assertThat(agent.get("victim.bin").body()).isEqualTo(content);

        // A small object is read whole into the cache first: altered anywhere, it is a clean 500.
        byte[] small = random(SEG * 2, 9);
        assertThat(agent.put("small.bin", small).statusCode()).isEqualTo(201);
        String smallBlob = "blobs/" + ContentHash.ofBytes(small).shardedPath() + ".enc";
        byte[] smallStored = s3.getObjectAsBytes(g -> g.bucket(bucket).key(smallBlob)).asByteArray();
        smallStored[smallStored.length - 3] ^= 1;
        s3.putObject(b -> b.bucket(bucket).key(smallBlob), software.amazon.awssdk.core.sync.RequestBody.fromBytes(smallStored));
        var refused = agent.get("small.bin", "Range", "bytes=0-9");
        assertThat(refused.statusCode()).isEqualTo(500);
        assertThat(new String(refused.body())).contains("\"code\":\"BlobCorrupt\"");
    }

    @Test
    void aKeyThatIsNotThirtyTwoBytesStopsTheAgentAtStartSayingWhichEntryIsWrong() throws Exception {
        Path keys = work.resolve("short-keys");
        EncryptedAgent.mountSecret(keys, new byte[16]);
        assertThatThrownBy(() -> new EncryptedAgent(work.resolve("fallback"), bucket, gate, keys, Map.of()))
            .hasStackTraceContaining("decodes to 16 bytes");
        assertThatThrownBy(() -> ApplicationContext.run(EmbeddedServer.class, Map.of("micronaut.server.port", -1,
            "kelp.fallback.dir", work.resolve("fallback-3").toString(), "kelp.storage.buckets", List.of(bucket),
            "kelp.encryption.enabled", true)).close())
            .hasStackTraceContaining("kelp.encryption.enabled is true but no key is configured");
    }
}
