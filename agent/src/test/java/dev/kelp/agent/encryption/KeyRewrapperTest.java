package dev.kelp.agent.encryption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kelp.agent.blob.local.LocalBlobStore;
import dev.kelp.agent.fallback.FallbackConfig;
import dev.kelp.agent.fallback.FallbackVolume;
import dev.kelp.agent.object.ContentHash;
import dev.kelp.agent.object.StorageConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The re-wrapper over a real fallback volume: what it rewrites, what it leaves, what it counts. */
class KeyRewrapperTest {

    private static final String BUCKET = "photos";

    @TempDir
    Path dir;

    @TempDir
    Path files;

    private final List<KeyRewrapper> started = new ArrayList<>();

    @AfterEach
    void stop() {
        started.forEach(KeyRewrapper::stop);
    }

    private static String key(int seed) {
        byte[] k = new byte[32];
        new Random(seed).nextBytes(k);
        return Base64.getEncoder().encodeToString(k);
    }

    private Path keyDir(String active, String... previous) throws IOException {
        Path keys = Files.createTempDirectory(files, "keys");
        Files.writeString(keys.resolve("key"), active);
        Files.writeString(keys.resolve("previous-keys"), String.join("\n", previous));
        return keys;
    }

    private static EncryptionConfig config(Path keyDir) {
        return new EncryptionConfig(true, null, keyDir.toString(), Duration.ofSeconds(5), Duration.ofMillis(200));
    }

    private KeyRewrapper rewrapper(BlobEncryption encryption, LocalBlobStore store, EncryptionConfig config, SimpleMeterRegistry meters) {
        var rewrapper = new KeyRewrapper(encryption, () -> store,
            new StorageConfig(List.of(BUCKET), 1 << 30, List.of(), 0, 0), config, meters);
        started.add(rewrapper);
        return rewrapper;
    }

    private ContentHash put(LocalBlobStore store, int size, long seed) throws IOException {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        ContentHash hash = ContentHash.ofBytes(bytes);
        store.put(BUCKET, hash, Files.write(files.resolve(hash.hex()), bytes), size);
        return hash;
    }

    private static KeyRewrapper.Scan awaitScanAfter(KeyRewrapper rewrapper, Instant after) {
        await().atMost(Duration.ofSeconds(10)).until(() -> rewrapper.lastScan().filter(s -> s.startedAt().isAfter(after)).isPresent());
        return rewrapper.lastScan().orElseThrow();
    }

    @Test
    void aRotationRewritesTheKeyRecordsOfEveryBlobAndOnlyThem() throws IOException {
        var before = new BlobEncryption(config(keyDir(key(1))));
        var oldStore = new LocalBlobStore(new FallbackVolume(new FallbackConfig(dir, 0, 0)), before);
        ContentHash a = put(oldStore, 70_000, 1);
        ContentHash b = put(oldStore, 10, 2);
        byte[] contentOfA = Files.readAllBytes(dir.resolve("blobs/photos/" + a.shardedPath() + ".enc"));

        var rotatedConfig = config(keyDir(key(2), key(1)));
        var rotated = new BlobEncryption(rotatedConfig);
        var store = new LocalBlobStore(new FallbackVolume(new FallbackConfig(dir, 0, 0)), rotated);
        var meters = new SimpleMeterRegistry();
        var rewrapper = rewrapper(rotated, store, rotatedConfig, meters);
        Instant now = Instant.now();
        rewrapper.requestScan();
        var scan = awaitScanAfter(rewrapper, now);

        assertThat(scan.examined()).isEqualTo(2);
        assertThat(scan.rewrapped()).isEqualTo(2);
        assertThat(scan.remaining()).isZero();
        assertThat(scan.complete()).isTrue();
        assertThat(meters.counter("kelp.encryption.rewrapped").count()).isEqualTo(2);
        assertThat(dir.resolve("blob-keys/photos/" + a.shardedPath())).exists();
        assertThat(Files.readAllBytes(dir.resolve("blobs/photos/" + a.shardedPath() + ".enc"))).as("content untouched").isEqualTo(contentOfA);

        // A second pass finds nothing to do.
        Instant again = Instant.now();
        rewrapper.requestScan();
        assertThat(awaitScanAfter(rewrapper, again).rewrapped()).isZero();

        // The old key gone, both still read.
        var onlyNew = new LocalBlobStore(new FallbackVolume(new FallbackConfig(dir, 0, 0)), new BlobEncryption(config(keyDir(key(2)))));
        assertThat(onlyNew.open(BUCKET, a, 0, -1).readAllBytes()).hasSize(70_000);
        assertThat(onlyNew.open(BUCKET, b, 0, -1).readAllBytes()).hasSize(10);
    }

    @Test
    void blobsUnderAKeyTheRingDoesNotHoldAreCountedAndLeftAlone() throws IOException {
        var before = new BlobEncryption(config(keyDir(key(1))));
        var oldStore = new LocalBlobStore(new FallbackVolume(new FallbackConfig(dir, 0, 0)), before);
        ContentHash a = put(oldStore, 1000, 3);

        var wrongConfig = config(keyDir(key(9), key(8)));
        var wrong = new BlobEncryption(wrongConfig);
        var store = new LocalBlobStore(new FallbackVolume(new FallbackConfig(dir, 0, 0)), wrong);
        var meters = new SimpleMeterRegistry();
        var rewrapper = rewrapper(wrong, store, wrongConfig, meters);
        Instant now = Instant.now();
        rewrapper.requestScan();
        var scan = awaitScanAfter(rewrapper, now);

        assertThat(scan.remaining()).isEqualTo(1);
        assertThat(scan.unknownKeys()).containsOnlyKeys(new Kek(Base64.getDecoder().decode(key(1))).idHex());
        assertThat(meters.get("kelp.encryption.rewrap.remaining").gauge().value()).isEqualTo(1);
        assertThat(dir.resolve("blob-keys/photos/" + a.shardedPath())).doesNotExist();
    }
}
