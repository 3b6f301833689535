package dev.kelp.agent.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.agent.encryption.BlobEncryption;
import dev.kelp.agent.encryption.KeyRewrapper;
import dev.kelp.agent.mode.Mode;
import dev.kelp.testkit.ProvingGround;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Block-level dedup with encryption at rest on, on the real SeaweedFS and PostgreSQL: chunks
 * are sealed each under a data key of its own, so similar objects still share them; no chunk
 * holds plaintext; and a key rotation re-wraps chunks as it does whole blobs, so that once the
 * old key leaves the Secret every chunked object still reads back, whole and in ranges.
 */
class EncryptedBlockDedupIT {

    private static final byte[] OLD = EncryptedAgent.newKey(301);
    private static final byte[] NEW = EncryptedAgent.newKey(302);
    private static final int MIB = 1 << 20;

    @TempDir
    Path work;

    private final String bucket = "encblocks-" + Long.toString(System.nanoTime(), 36);
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

    @Test
    void sealedChunksAreSharedHoldNoPlaintextAndSurviveARotation() throws Exception {
        Path keys = work.resolve("keys");
        EncryptedAgent.mountSecret(keys, OLD);
        agent = new EncryptedAgent(work.resolve("fallback"), bucket, gate, keys, Map.of(
            "kelp.dedup.blocks.enabled", "true", "kelp.dedup.blocks.min-object-size", "1MiB", "kelp.dedup.blocks.average-chunk", "64KiB"));
        agent.awaitMode(Mode.FULL);

        byte[] first = new byte[3 * MIB];
        new Random(1).nextBytes(first);
        byte[] second = first.clone();
        System.arraycopy(new byte[4096], 0, second, 2 * MIB, 4096);
        assertThat(agent.put("first.img", first).statusCode()).isEqualTo(201);
        assertThat(agent.put("second.img", second).statusCode()).isEqualTo(201);

        Map<String, byte[]> chunks = EncryptedAgent.objects(s3, bucket, "chunks/");
        assertThat(chunks.keySet()).as("chunks on SeaweedFS").isNotEmpty().allMatch(k -> k.endsWith(BlobEncryption.ENCRYPTED_SUFFIX));
        long stored = chunks.values().stream().mapToLong(b -> b.length).sum();
        assertThat(stored).as("sealed chunk bytes for two objects that differ in 4 KiB").isLessThan(first.length + first.length / 4);
        byte[] sample = Arrays.copyOfRange(first, MIB, MIB + 64);
        assertThat(chunks.values()).as("no chunk holds a plaintext window of the object")
            .allMatch(b -> EncryptedAgent.indexOf(b, sample) < 0);
        Set<String> manifests = EncryptedAgent.objects(s3, bucket, "blobs/").keySet();
        assertThat(manifests).as("the objects are manifests, no whole copies").hasSize(2).allMatch(k -> k.endsWith(".chunks"));

        EncryptedAgent.mountSecret(keys, NEW, OLD);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> ring().ids().size() == 2);
        KeyRewrapper rewrapper = agent.rewrapper();
        Instant rotated = Instant.now();
        rewrapper.requestScan();
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> rewrapper.lastScan()
            .filter(s -> s.startedAt().isAfter(rotated) && s.remaining() == 0 && s.complete()).isPresent());
        for (String chunk : chunks.keySet()) {
            assertThat(EncryptedAgent.effectiveKeyId(s3, bucket, chunk)).as("key of %s after the rotation", chunk).isEqualTo(EncryptedAgent.idOf(NEW));
        }
        assertThat(EncryptedAgent.objects(s3, bucket, "chunk-keys/")).as("chunk key records written by the re-wrapper").hasSize(chunks.size());

        EncryptedAgent.mountSecret(keys, NEW);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> ring().ids().size() == 1);
        assertThat(agent.get("first.img").body()).isEqualTo(first);
        assertThat(agent.get("second.img").body()).isEqualTo(second);
        var range = agent.get("second.img", "Range", "bytes=2000000-2200000");
        assertThat(range.statusCode()).isEqualTo(206);
        assertThat(range.body()).isEqualTo(Arrays.copyOfRange(second, 2_000_000, 2_200_001));
    }

    @Test
    void aSealedBlobWrittenDuringAnOutageIsChunkedFromItsPlaintextWhenItDrains() throws Exception {
        Path keys = work.resolve("keys");
        EncryptedAgent.mountSecret(keys, OLD);
        agent = new EncryptedAgent(work.resolve("fallback"), bucket, gate, keys, Map.of(
            "kelp.dedup.blocks.enabled", "true", "kelp.dedup.blocks.min-object-size", "1MiB", "kelp.dedup.blocks.average-chunk", "64KiB"));
        agent.awaitMode(Mode.FULL);
        byte[] before = new byte[2 * MIB];
        new Random(2).nextBytes(before);
        assertThat(agent.put("before.img", before).statusCode()).isEqualTo(201);
        long chunksBefore = EncryptedAgent.objects(s3, bucket, "chunks/").size();

        gate.shut();
        agent.awaitMode(Mode.FALLBACK);
        byte[] during = before.clone();
        System.arraycopy(new byte[100], 0, during, MIB, 100);
        assertThat(agent.put("during.img", during).statusCode()).as("written to the fallback volume, sealed").isEqualTo(201);
        assertThat(agent.get("during.img").body()).isEqualTo(during);

        gate.open();
        agent.awaitMode(Mode.FULL);
        agent.awaitDrained();
        Map<String, byte[]> chunks = EncryptedAgent.objects(s3, bucket, "chunks/");
        assertThat(EncryptedAgent.objects(s3, bucket, "blobs/").keySet()).as("both objects are manifests on SeaweedFS")
            .hasSize(2).allMatch(k -> k.endsWith(".chunks"));
        assertThat(chunks.size() - chunksBefore).as("new chunks for a 100-byte change of a 2 MiB object").isBetween(1L, 3L);
        assertThat(chunks.keySet()).allMatch(k -> k.endsWith(BlobEncryption.ENCRYPTED_SUFFIX));
        assertThat(agent.get("during.img").body()).isEqualTo(during);
        assertThat(agent.get("before.img").body()).isEqualTo(before);
    }

    private dev.kelp.agent.encryption.KeyRing ring() {
        return agent.server.getApplicationContext().getBean(BlobEncryption.class).ring().orElseThrow();
    }
}
