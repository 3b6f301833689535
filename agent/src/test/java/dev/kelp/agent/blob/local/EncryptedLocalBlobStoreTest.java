package dev.kelp.agent.blob.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kelp.agent.encryption.BlobEncryption;
import dev.kelp.agent.encryption.EncryptionConfig;
import dev.kelp.agent.encryption.EncryptionKeyUnavailableException;
import dev.kelp.agent.encryption.Rewrap;
import dev.kelp.agent.encryption.SegmentFormat;
import dev.kelp.agent.fallback.FallbackConfig;
import dev.kelp.agent.fallback.FallbackVolume;
import dev.kelp.agent.object.ContentHash;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fallback volume's blob store with encryption at rest on, off, and turned on later. */
class EncryptedLocalBlobStoreTest {

    private static final String BUCKET = "photos";
    private static final int SEG = SegmentFormat.SEGMENT_BYTES;

    @TempDir
    Path dir;

    @TempDir
    Path callerDir;

    private static String key(int seed) {
        byte[] k = new byte[32];
        new Random(seed).nextBytes(k);
        return Base64.getEncoder().encodeToString(k);
    }

    private static BlobEncryption encryption(boolean enabled, String key) {
        return new BlobEncryption(new EncryptionConfig(enabled, key, null, Duration.ofSeconds(5), Duration.ofSeconds(30)));
    }

    private LocalBlobStore store(BlobEncryption encryption) {
        return new LocalBlobStore(new FallbackVolume(new FallbackConfig(dir, 0, 0)), encryption);
    }

    private byte[] bytes(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private ContentHash put(LocalBlobStore store, byte[] content) throws IOException {
        ContentHash hash = ContentHash.ofBytes(content);
        Path file = Files.write(callerDir.resolve(hash.hex()), content);
        store.put(BUCKET, hash, file, content.length);
        return hash;
    }

    private static byte[] read(InputStream in) throws IOException {
        try (in) {
            return in.readAllBytes();
        }
    }

    @Test
    void anEncryptedBlobIsNotThePlaintextOnDiskAndReadsBackWholeAndInRanges() throws IOException {
        var store = store(encryption(true, key(1)));
        byte[] content = bytes(3 * SEG + 17, 1);
        ContentHash hash = put(store, content);

        Path stored = dir.resolve("blobs/photos/" + hash.shardedPath() + ".enc");
        assertThat(stored).exists();
        assertThat(dir.resolve("blobs/photos/" + hash.shardedPath())).doesNotExist();
        byte[] raw = Files.readAllBytes(stored);
        assertThat(raw).hasSize((int) SegmentFormat.storedSize(content.length));
        assertThat(indexOf(raw, Arrays.copyOfRange(content, 1000, 1032))).as("plaintext on disk").isEqualTo(-1);
        assertThat(store.bytesStored()).isEqualTo(raw.length);

        assertThat(store.exists(BUCKET, hash)).isTrue();
        assertThat(read(store.open(BUCKET, hash, 0, -1))).isEqualTo(content);
        assertThat(read(store.open(BUCKET, hash, SEG - 3, SEG + 6))).isEqualTo(Arrays.copyOfRange(content, SEG - 3, 2 * SEG + 3));
        assertThat(read(store.open(BUCKET, hash, content.length - 5, -1))).isEqualTo(Arrays.copyOfRange(content, content.length - 5, content.length));

        // A second put of the same content is a no-op, as for plaintext blobs.
        byte[] before = Files.readAllBytes(stored);
        put(store, content);
        assertThat(Files.readAllBytes(stored)).isEqualTo(before);
    }

    @Test
    void aRestartCountsEncryptedBlobsAndKeepsThem() throws IOException {
        var enc = encryption(true, key(1));
        var store = store(enc);
        byte[] content = bytes(5000, 2);
        ContentHash hash = put(store, content);

        var restarted = store(enc);
        assertThat(restarted.exists(BUCKET, hash)).isTrue();
        assertThat(restarted.bytesStored()).isEqualTo(SegmentFormat.storedSize(content.length));
        assertThat(read(restarted.open(BUCKET, hash, 0, -1))).isEqualTo(content);

        restarted.delete(BUCKET, hash);
        assertThat(restarted.exists(BUCKET, hash)).isFalse();
        assertThat(restarted.bytesStored()).isZero();
    }

    @Test
    void blobsStoredBeforeEncryptionWasTurnedOnStayReadableAndPlaintextStoresNeverLookForKeys() throws IOException {
        var plainStore = store(BlobEncryption.disabled());
        byte[] old = bytes(2000, 3);
        ContentHash oldHash = put(plainStore, old);
        assertThat(dir.resolve("blobs/photos/" + oldHash.shardedPath())).exists();

        var encrypting = store(encryption(true, key(1)));
        assertThat(read(encrypting.open(BUCKET, oldHash, 10, 100))).isEqualTo(Arrays.copyOfRange(old, 10, 110));
        byte[] fresh = bytes(2000, 4);
        ContentHash freshHash = put(encrypting, fresh);

        // Turned off again with the key kept: new blobs are plaintext, encrypted ones still read.
        var decryptOnly = store(encryption(false, key(1)));
        assertThat(read(decryptOnly.open(BUCKET, freshHash, 0, -1))).isEqualTo(fresh);
        ContentHash later = put(decryptOnly, bytes(100, 5));
        assertThat(dir.resolve("blobs/photos/" + later.shardedPath())).exists();

        // Turned off and the key dropped: an encrypted blob is a clear error, never its ciphertext.
        var noKey = store(BlobEncryption.disabled());
        assertThatThrownBy(() -> noKey.open(BUCKET, freshHash, 0, -1)).isInstanceOf(EncryptionKeyUnavailableException.class)
            .hasMessageContaining("no encryption key is configured");
        assertThat(read(noKey.open(BUCKET, oldHash, 0, -1))).isEqualTo(old);
    }

    @Test
    void aWrongKeyIsAClearErrorAndChangesNothing() throws IOException {
        var store = store(encryption(true, key(1)));
        byte[] content = bytes(SEG + 1, 6);
        ContentHash hash = put(store, content);
        Path stored = dir.resolve("blobs/photos/" + hash.shardedPath() + ".enc");
        byte[] before = Files.readAllBytes(stored);

        var wrong = encryption(true, key(9));
        var wrongStore = store(wrong);
        assertThatThrownBy(() -> wrongStore.open(BUCKET, hash, 0, -1)).isInstanceOf(EncryptionKeyUnavailableException.class)
            .hasMessageContaining("which this agent does not hold");
        assertThat(wrong.rewrap(BUCKET, hash, wrongStore.header(BUCKET, hash).orElseThrow(), wrongStore.override(BUCKET, hash)).state())
            .isEqualTo(Rewrap.State.UNKNOWN_KEY);
        assertThat(Files.readAllBytes(stored)).isEqualTo(before);
        assertThat(wrongStore.override(BUCKET, hash)).isEmpty();
        assertThat(read(store(encryption(true, key(1))).open(BUCKET, hash, 0, -1))).isEqualTo(content);
    }

    @Test
    void aKeyRecordWrittenByTheRewrapperIsWhatReadsUseOnceTheOldKeyIsGone() throws IOException {
        var store = store(encryption(true, key(1)));
        byte[] content = bytes(10_000, 7);
        ContentHash hash = put(store, content);
        byte[] contentBefore = Files.readAllBytes(dir.resolve("blobs/photos/" + hash.shardedPath() + ".enc"));

        // Rotated: key 2 active, key 1 still accepted. Only the key record is written.
        var rotated = new BlobEncryption(new EncryptionConfig(true, key(1), writeKeyDir(key(2)).toString(),
            Duration.ofSeconds(5), Duration.ofSeconds(30)));
        var rotatedStore = store(rotated);
        Rewrap rewrap = rotated.rewrap(BUCKET, hash, rotatedStore.header(BUCKET, hash).orElseThrow(), rotatedStore.override(BUCKET, hash));
        assertThat(rewrap.state()).isEqualTo(Rewrap.State.REWRAPPED);
        rotatedStore.writeOverride(BUCKET, hash, rewrap.override().orElseThrow());
        assertThat(Files.readAllBytes(dir.resolve("blobs/photos/" + hash.shardedPath() + ".enc"))).isEqualTo(contentBefore);
        assertThat(dir.resolve("blob-keys/photos/" + hash.shardedPath())).exists();

        var onlyNew = store(encryption(true, key(2)));
        assertThat(read(onlyNew.open(BUCKET, hash, 0, -1))).isEqualTo(content);
        assertThat(onlyNew.locateStored(BUCKET, hash).override()).isPresent();

        onlyNew.delete(BUCKET, hash);
        assertThat(dir.resolve("blob-keys/photos/" + hash.shardedPath())).doesNotExist();
    }

    private Path writeKeyDir(String active) throws IOException {
        Path keys = Files.createTempDirectory(callerDir, "keys");
        Files.writeString(keys.resolve("key"), active);
        return keys;
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
