package dev.kelp.agent.blob.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kelp.agent.blob.BlobContentMismatchException;
import dev.kelp.agent.blob.BlobNotFoundException;
import dev.kelp.agent.blob.BlobStaging;
import dev.kelp.agent.blob.StagedBlob;
import dev.kelp.agent.blob.local.LocalBlobStore;
import dev.kelp.agent.fallback.FallbackConfig;
import dev.kelp.agent.fallback.FallbackVolume;
import dev.kelp.agent.mode.Mode;
import dev.kelp.agent.object.ContentHash;
import dev.kelp.agent.object.HotStorage;
import dev.kelp.agent.object.KelpException;
import dev.kelp.agent.sync.FileSyncQueue;
import dev.kelp.testkit.ProvingGround;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** The remote blob store against the proving ground's shared SeaweedFS. */
class SeaweedFsBlobStoreIT {

    private static final String BUCKET = "it-remote-store-" + System.nanoTime();
    private static RemoteStoreFixture fixture;
    private static SeaweedFsBlobStore store;
    private static S3Client plain;

    @TempDir
    Path dir;

    @BeforeAll
    static void connect() {
        var config = TestConfigs.defaults(ProvingGround.require("KELP_S3_ENDPOINT"),
            ProvingGround.require("KELP_S3_ACCESS_KEY"), ProvingGround.require("KELP_S3_SECRET_KEY"));
        fixture = new RemoteStoreFixture(config);
        store = fixture.store;
        plain = RemoteStoreFixture.plainClient(config);
    }

    @AfterAll
    static void cleanUp() throws InterruptedException {
        RemoteStoreFixture.dropBucket(plain, BUCKET);
        plain.close();
        fixture.close();
    }

    private static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private Path file(byte[] bytes) throws Exception {
        Path file = Files.createTempFile(dir, "blob", ".bin");
        Files.write(file, bytes);
        return file;
    }

    private static byte[] read(InputStream in) throws Exception {
        try (in) {
            return in.readAllBytes();
        }
    }

    @Test
    void aStoredBlobExistsAndReadsBackWholeAndInRanges() throws Exception {
        byte[] bytes = random(3 * 1024 * 1024 + 17, 1);
        ContentHash hash = ContentHash.ofBytes(bytes);
        assertThat(store.exists(BUCKET, hash)).isFalse();

        store.put(BUCKET, hash, file(bytes), bytes.length);

        assertThat(store.exists(BUCKET, hash)).isTrue();
        assertThat(read(store.open(BUCKET, hash, 0, -1))).isEqualTo(bytes);
        assertThat(read(store.open(BUCKET, hash, 1000, 5000))).isEqualTo(Arrays.copyOfRange(bytes, 1000, 6000));
        assertThat(read(store.open(BUCKET, hash, bytes.length - 10, -1)))
            .isEqualTo(Arrays.copyOfRange(bytes, bytes.length - 10, bytes.length));
        assertThat(read(store.open(BUCKET, hash, 5, 0))).isEmpty();
        assertThat(fixture.mode.current().mode()).isEqualTo(Mode.FULL);
    }

    @Test
    void aLargeBlobStreamsInAndOutAndVerifies() throws Exception {
        byte[] bytes = random(40 * 1024 * 1024 + 3, 10);
        ContentHash hash = ContentHash.ofBytes(bytes);
        Path file = file(bytes);

        long start = System.nanoTime();
        store.put(BUCKET, hash, file, bytes.length);
        Duration put = Duration.ofNanos(System.nanoTime() - start);

        assertThat(store.verify(BUCKET, hash)).isTrue();
        try (InputStream in = store.open(BUCKET, hash, 0, -1)) {
            var digest = ContentHash.newDigest();
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                digest.update(buffer, 0, n);
            }
            assertThat(ContentHash.of(digest)).isEqualTo(hash);
        }
        System.out.printf("[figure] 40 MiB put: %d ms (attempt timeout %s)%n", put.toMillis(),
            fixture.config.attemptTimeout(bytes.length));
    }

    @Test
    void closingABodyEarlyDoesNotReadTheRestAndLeavesTheStoreUsable() throws Exception {
        byte[] bytes = random(8 * 1024 * 1024, 12);
        ContentHash hash = ContentHash.ofBytes(bytes);
        store.put(BUCKET, hash, file(bytes), bytes.length);

        for (int i = 0; i < 60; i++) {
            try (InputStream in = store.open(BUCKET, hash, 0, -1)) {
                assertThat(in.readNBytes(10)).isEqualTo(Arrays.copyOf(bytes, 10));
            }
        }

        assertThat(read(store.open(BUCKET, hash, 100, 10))).isEqualTo(Arrays.copyOfRange(bytes, 100, 110));
    }

    @Test
    void theBlobLivesUnderItsShardedContentAddress() throws Exception {
        byte[] bytes = "sharded".getBytes();
        ContentHash hash = ContentHash.ofBytes(bytes);

        store.put(BUCKET, hash, file(bytes), bytes.length);

        String key = "blobs/" + hash.hex().substring(0, 2) + "/" + hash.hex().substring(2, 4) + "/" + hash.hex();
        assertThat(plain.getObjectAsBytes(b -> b.bucket(BUCKET).key(key)).asByteArray()).isEqualTo(bytes);
    }

    @Test
    void aBucketIsCreatedOnFirstUse() throws Exception {
        String bucket = "it-remote-new-" + System.nanoTime();
        byte[] bytes = random(100, 2);
        try {
            store.put(bucket, ContentHash.ofBytes(bytes), file(bytes), bytes.length);

            assertThat(plain.listBuckets().buckets()).anySatisfy(b -> assertThat(b.name()).isEqualTo(bucket));
            assertThat(store.exists(bucket, ContentHash.ofBytes(bytes))).isTrue();
        } finally {
            RemoteStoreFixture.dropBucket(plain, bucket);
        }
    }

    @Test
    void anEmptyBlobStoresAndReadsBackEmpty() throws Exception {
        byte[] empty = new byte[0];
        ContentHash hash = ContentHash.ofBytes(empty);

        store.put(BUCKET, hash, file(empty), 0);

        assertThat(store.exists(BUCKET, hash)).isTrue();
        assertThat(read(store.open(BUCKET, hash, 0, -1))).isEmpty();
        assertThat(store.verify(BUCKET, hash)).isTrue();
    }

    @Test
    void aMissingBlobIsNotFoundAndDeletingItIsANoOp() {
        ContentHash absent = ContentHash.ofBytes("never stored".getBytes());
        String noBucket = "it-remote-absent-" + System.nanoTime();

        assertThat(store.exists(BUCKET, absent)).isFalse();
        assertThat(store.exists(noBucket, absent)).isFalse();
        assertThatThrownBy(() -> store.open(BUCKET, absent, 0, -1)).isInstanceOf(BlobNotFoundException.class);
        assertThatThrownBy(() -> store.open(BUCKET, absent, 10, 10)).isInstanceOf(BlobNotFoundException.class);
        assertThatThrownBy(() -> store.open(BUCKET, absent, 0, 0)).isInstanceOf(BlobNotFoundException.class);
        assertThatThrownBy(() -> store.open(noBucket, absent, 0, -1)).isInstanceOf(BlobNotFoundException.class);
        store.delete(BUCKET, absent);
        store.delete(noBucket, absent);
        assertThat(store.verify(BUCKET, absent)).isFalse();
        assertThat(fixture.guard.state().name()).isEqualTo("CLOSED");
    }

    @Test
    void aDeletedBlobIsGone() throws Exception {
        byte[] bytes = random(2048, 3);
        ContentHash hash = ContentHash.ofBytes(bytes);
        store.put(BUCKET, hash, file(bytes), bytes.length);

        store.delete(BUCKET, hash);

        assertThat(store.exists(BUCKET, hash)).isFalse();
        assertThatThrownBy(() -> store.open(BUCKET, hash, 0, -1)).isInstanceOf(BlobNotFoundException.class);
    }

    @Test
    void aRangeStartingPastTheEndIsRefusedWith416() throws Exception {
        byte[] bytes = random(100, 4);
        ContentHash hash = ContentHash.ofBytes(bytes);
        store.put(BUCKET, hash, file(bytes), bytes.length);

        assertThatThrownBy(() -> read(store.open(BUCKET, hash, 500, 10)))
            .isInstanceOfSatisfying(KelpException.class, e -> assertThat(e.status()).isEqualTo(416));
    }

    @Test
    void aSizeThatDoesNotMatchTheFileIsRefusedBeforeAnythingIsSent() throws Exception {
        byte[] bytes = random(100, 5);
        ContentHash hash = ContentHash.ofBytes(bytes);

        assertThatThrownBy(() -> store.put(BUCKET, hash, file(bytes), 99))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("holds 100 bytes, not 99");
        assertThat(store.exists(BUCKET, hash)).isFalse();
    }

    @Test
    void bytesThatDoNotHashToTheirNameAreRefusedBySeaweedFsAndNothingIsStored() throws Exception {
        // The upload is signed with the hash the agent computed while staging (KnownHashSigner),
        // which SeaweedFS checks the bytes against on the way in: a body changed in between is
        // refused, not stored under a name that lies about it.
        byte[] bytes = random(300 * 1024, 8);
        ContentHash claimed = ContentHash.ofBytes(random(300 * 1024, 9));

        assertThatThrownBy(() -> store.put(BUCKET, claimed, file(bytes), bytes.length))
            .isInstanceOfSatisfying(BlobContentMismatchException.class, e -> assertThat(e.code()).isEqualTo("BlobCorrupt"))
            .hasMessageContaining("refused").hasMessageContaining("BadDigest").hasMessageContaining("nothing was stored");
        assertThat(store.exists(BUCKET, claimed)).isFalse();
        assertThat(fixture.guard.state().name()).as("a refused request is not an outage").isEqualTo("CLOSED");
    }

    @Test
    void aStagedBodyChangedAfterItWasHashedFailsItsWriteAndIsNotTakenByTheFallbackVolume() throws Exception {
        // Were the refusal taken for an outage, the fallback volume would store the same wrong
        // bytes under the same lying name, acknowledge them, and sync them in vain forever.
        var volume = new FallbackVolume(new FallbackConfig(dir.resolve("fallback"), 0, 0));
        var local = new LocalBlobStore(volume);
        var queue = new FileSyncQueue(volume);
        var hot = new HotStorage(local, Optional.of(store), queue, fixture.mode);
        byte[] bytes = random(300 * 1024, 10);
        try (StagedBlob staged = new BlobStaging(volume).stage(new ByteArrayInputStream(bytes), bytes.length)) {
            try (FileChannel channel = FileChannel.open(staged.file(), StandardOpenOption.WRITE)) {
                channel.write(ByteBuffer.wrap(new byte[] {(byte) ~bytes[1000]}), 1000);
            }
            assertThat(fixture.mode.current().mode()).isEqualTo(Mode.FULL);

            assertThatThrownBy(() -> hot.store(BUCKET, staged)).isInstanceOf(BlobContentMismatchException.class);
            assertThat(store.exists(BUCKET, staged.hash())).isFalse();
            assertThat(local.exists(BUCKET, staged.hash())).as("not on the fallback volume either").isFalse();
            assertThat(queue.pending().objects()).isZero();
        }
        assertThat(fixture.mode.current().mode()).isEqualTo(Mode.FULL);
    }

    @Test
    void verifyTellsTheStoredBytesFromBytesChangedBehindItsBack() throws Exception {
        byte[] bytes = random(256 * 1024, 6);
        ContentHash hash = ContentHash.ofBytes(bytes);
        store.put(BUCKET, hash, file(bytes), bytes.length);
        assertThat(store.verify(BUCKET, hash)).isTrue();

        byte[] other = random(256 * 1024, 7);
        plain.putObject(b -> b.bucket(BUCKET).key(SeaweedFsBlobStore.key(hash)), RequestBody.fromBytes(other));

        assertThat(store.verify(BUCKET, hash)).isFalse();
        assertThat(store.exists(BUCKET, hash)).as("verify reports, it does not repair or delete").isTrue();
    }

    @Test
    void aPresignedUrlServesTheBlobToAPlainHttpClient() throws Exception {
        byte[] bytes = random(70_000, 8);
        ContentHash hash = ContentHash.ofBytes(bytes);
        store.put(BUCKET, hash, file(bytes), bytes.length);

        var url = store.presignGet(BUCKET, hash, Duration.ofMinutes(5));
        HttpResponse<byte[]> response;
        try (HttpClient http = HttpClient.newHttpClient()) {
            response = http.send(HttpRequest.newBuilder(url.toURI()).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        }

        assertThat(url.getQuery()).contains("X-Amz-Signature=").contains("X-Amz-Expires=300");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(bytes);
    }

    @Test
    void aTamperedPresignedUrlIsRefused() throws Exception {
        byte[] bytes = random(1000, 9);
        ContentHash hash = ContentHash.ofBytes(bytes);
        store.put(BUCKET, hash, file(bytes), bytes.length);

        String url = store.presignGet(BUCKET, hash, Duration.ofMinutes(5)).toString().replace("X-Amz-Expires=300", "X-Amz-Expires=301");
        try (HttpClient http = HttpClient.newHttpClient()) {
            var response = http.send(HttpRequest.newBuilder(java.net.URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(403);
        }
    }

    @Test
    void aPresignedUrlLivesAtMostAWeek() {
        ContentHash hash = ContentHash.ofBytes(new byte[1]);

        assertThatThrownBy(() -> store.presignGet(BUCKET, hash, Duration.ofDays(8))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.presignGet(BUCKET, hash, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }
}
