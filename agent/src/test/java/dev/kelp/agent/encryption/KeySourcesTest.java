package dev.kelp.agent.encryption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where keys come from, what is accepted, and what is refused with which message. */
class KeySourcesTest {

    private static final byte[] K1 = BlobEncryptionTest.key(1);
    private static final byte[] K2 = BlobEncryptionTest.key(2);
    private static final byte[] K3 = BlobEncryptionTest.key(3);

    @TempDir
    Path dir;

    private static String b64(byte[] k) {
        return Base64.getEncoder().encodeToString(k);
    }

    private static EncryptionConfig config(boolean enabled, String key, Path keyDir) {
        return new EncryptionConfig(enabled, key, keyDir == null ? null : keyDir.toString(), Duration.ofSeconds(5), Duration.ofSeconds(30));
    }

    /** A mounted Secret as kubelet lays it out: entries are symlinks through {@code ..data}, swapped atomically. */
    private Path mountSecret(String key, String previous) throws IOException {
        Path version = Files.createTempDirectory(dir, "..version-");
        Files.writeString(version.resolve("key"), key);
        if (previous != null) {
            Files.writeString(version.resolve("previous-keys"), previous);
        }
        Path data = dir.resolve("..data");
        Path tmp = dir.resolve("..data_tmp");
        Files.deleteIfExists(tmp);
        Files.createSymbolicLink(tmp, version.getFileName());
        Files.move(tmp, data, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        for (String entry : new String[] {"key", "previous-keys"}) {
            Path link = dir.resolve(entry);
            if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                Files.createSymbolicLink(link, Path.of("..data", entry));
            }
        }
        return dir;
    }

    @Test
    void aKeyIsRawBytesOrBase64WithOrWithoutANewline() {
        assertThat(KeySources.parse(K1, "x").idHex()).isEqualTo(new Kek(K1).idHex());
        assertThat(KeySources.parse(b64(K1).getBytes(StandardCharsets.US_ASCII), "x").idHex()).isEqualTo(new Kek(K1).idHex());
        assertThat(KeySources.parse((b64(K1) + "\n").getBytes(StandardCharsets.US_ASCII), "x").idHex()).isEqualTo(new Kek(K1).idHex());
    }

    @Test
    void aKeyOfTheWrongLengthOrNotBase64IsRefusedSayingWhere() {
        assertThatThrownBy(() -> KeySources.parse(b64(new byte[16]).getBytes(StandardCharsets.US_ASCII), "kelp.encryption.key"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("kelp.encryption.key decodes to 16 bytes");
        assertThatThrownBy(() -> KeySources.parse("not base64 at all!".getBytes(StandardCharsets.US_ASCII), "the key"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("the key is neither 32 raw bytes nor base64");
        assertThatThrownBy(() -> KeySources.load(config(true, null, null)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no key is configured");
        assertThat(KeySources.load(config(false, null, null))).isEmpty();
    }

    @Test
    void aKeyDirectoryGivesTheActiveKeyAndThePreviousOnes() throws IOException {
        mountSecret(b64(K2), "# rotated 2026-12-01\n" + b64(K1) + "\n\n");
        KeyRing ring = KeySources.load(config(true, b64(K3), dir)).orElseThrow();
        assertThat(ring.active().idHex()).isEqualTo(new Kek(K2).idHex());
        assertThat(ring.ids()).containsExactly(new Kek(K2).idHex(), new Kek(K1).idHex(), new Kek(K3).idHex());

        Files.delete(dir.resolve("key"));
        assertThatThrownBy(() -> KeySources.load(config(true, null, dir))).hasMessageContaining("has no entry 'key'");
    }

    @Test
    void theWatcherSwapsInARotatedSecretAndKeepsTheOldRingWhenTheNewOneIsBad() throws IOException {
        mountSecret(b64(K1), null);
        var config = config(true, null, dir);
        var encryption = new BlobEncryption(config);
        var meters = new SimpleMeterRegistry();
        var watcher = new KeyDirWatcher(config, encryption, meters);
        int[] notified = {0};
        encryption.onStaleKeys(() -> notified[0]++);

        assertThat(watcher.reload()).isFalse();
        mountSecret(b64(K2), b64(K1));
        assertThat(watcher.reload()).isTrue();
        assertThat(encryption.ring().orElseThrow().active().idHex()).isEqualTo(new Kek(K2).idHex());
        assertThat(notified[0]).isEqualTo(1);

        mountSecret(b64(new byte[31]), b64(K1));
        assertThat(watcher.reload()).isFalse();
        assertThat(encryption.ring().map(KeyRing::ids)).isEqualTo(Optional.of(java.util.List.of(new Kek(K2).idHex(), new Kek(K1).idHex())));
        assertThat(meters.counter("kelp.encryption.key.reload.failures").count()).isEqualTo(1);
    }
}
