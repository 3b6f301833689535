package dev.kelp.agent.encryption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kelp.agent.object.ContentHash;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The encrypted blob format, round trips and every way a stored blob can be wrong. */
class BlobEncryptionTest {

    private static final int SEG = SegmentFormat.SEGMENT_BYTES;
    private static final String BUCKET = "photos";
    private static final byte[] K1 = key(1);
    private static final byte[] K2 = key(2);
    private static final byte[] K3 = key(3);

    static byte[] key(int seed) {
        byte[] k = new byte[32];
        new Random(seed).nextBytes(k);
        return k;
    }

    static BlobEncryption with(byte[] active, byte[]... previous) {
        return new BlobEncryption(new EncryptionConfig(true, Base64.getEncoder().encodeToString(active), null,
            Duration.ofSeconds(5), Duration.ofSeconds(30))) {
            {
                var prev = Arrays.stream(previous).map(Kek::new).toList();
                replaceRing(new KeyRing(new Kek(active), prev));
            }
        };
    }

    /** A stored blob in memory, with its key record. */
    static final class Stored implements EncryptedSource {
        byte[] bytes;
        Optional<byte[]> override = Optional.empty();

        Stored(byte[] bytes) {
            this.bytes = bytes;
        }

        @Override
        public InputStream open(long from, long length) {
            int start = (int) Math.min(from, bytes.length);
            int end = length < 0 ? bytes.length : (int) Math.min(bytes.length, from + length);
            return new ByteArrayInputStream(bytes, start, end - start);
        }

        @Override
        public Optional<byte[]> override() {
            return override;
        }
    }

    static byte[] plaintext(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    static Stored seal(BlobEncryption enc, byte[] plain) throws IOException {
        Sealing sealing = enc.seal(BUCKET, ContentHash.ofBytes(plain), plain.length);
        byte[] stored = sealing.encrypt(new ByteArrayInputStream(plain)).readAllBytes();
        assertThat(stored).hasSize((int) sealing.storedSize());
        return new Stored(stored);
    }

    static byte[] read(BlobEncryption enc, byte[] plain, Stored stored, long offset, long length) throws IOException {
        try (InputStream in = enc.open(BUCKET, ContentHash.ofBytes(plain), stored, offset, length)) {
            return in.readAllBytes();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 100, SEG - 1, SEG, SEG + 1, 2 * SEG, 3 * SEG + 5})
    void roundTripsAtSegmentBoundaries(int size) throws IOException {
        var enc = with(K1);
        byte[] plain = plaintext(size, size);
        Stored stored = seal(enc, plain);

        assertThat(stored.bytes.length).isEqualTo(BlobHeader.BYTES + SegmentFormat.segments(size) * 16 + size);
        assertThat(read(enc, plain, stored, 0, -1)).isEqualTo(plain);
        assertThat(read(enc, plain, stored, 0, size)).isEqualTo(plain);
        assertThat(read(enc, plain, stored, size, -1)).isEmpty();
        assertThat(read(enc, plain, stored, 0, 0)).isEmpty();
        if (size >= 16) {
            // No plaintext run of 16 bytes survives into the stored bytes.
            assertThat(indexOf(stored.bytes, Arrays.copyOfRange(plain, 0, 16))).isEqualTo(-1);
        }
    }

    @Test
    void rangesReadOnlyTheSegmentsTheyTouchAndReturnExactlyTheirBytes() throws IOException {
        var enc = with(K1);
        int size = 3 * SEG + 100;
        byte[] plain = plaintext(size, 7);
        Stored stored = seal(enc, plain);
        long[][] ranges = {{0, 1}, {SEG - 1, 2}, {SEG, SEG}, {SEG - 10, SEG + 20}, {size - 1, 1}, {5, -1}, {2L * SEG, -1},
            {3L * SEG, 100}, {3L * SEG + 50, 1000}, {SEG + 3, 0}, {1, size - 2}};
        for (long[] r : ranges) {
            long end = r[1] < 0 ? size : Math.min(size, r[0] + r[1]);
            assertThat(read(enc, plain, stored, r[0], r[1])).as("range %d+%d", r[0], r[1])
                .isEqualTo(Arrays.copyOfRange(plain, (int) r[0], (int) end));
        }
        assertThatThrownBy(() -> read(enc, plain, stored, size + 1, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aSegmentAlteredAnywhereFailsTheReadBeforeItsBytesAreHandedOut() throws IOException {
        var enc = with(K1);
        byte[] plain = plaintext(3 * SEG, 8);
        Stored stored = seal(enc, plain);
        stored.bytes[(int) SegmentFormat.offsetOfSegment(1) + 10] ^= 1;

        // The first segment read is checked as the read opens: refused before any response.
        assertThatThrownBy(() -> read(enc, plain, stored, SEG + 5, 10)).isInstanceOf(BlobIntegrityException.class)
            .hasMessageContaining("segment 1 does not authenticate");
        // Read from the start: segment 0 comes out whole, then the read fails, never with wrong bytes.
        var out = new ByteArrayOutputStream();
        try (InputStream in = enc.open(BUCKET, ContentHash.ofBytes(plain), stored, 0, -1)) {
            assertThatThrownBy(() -> in.transferTo(out)).isInstanceOf(CorruptSegmentException.class);
        }
        assertThat(out.toByteArray()).isEqualTo(Arrays.copyOf(plain, SEG));
    }

    @Test
    void swappedSegmentsFail() throws IOException {
        var enc = with(K1);
        byte[] plain = plaintext(3 * SEG, 9);
        Stored stored = seal(enc, plain);
        int a = (int) SegmentFormat.offsetOfSegment(0);
        int b = (int) SegmentFormat.offsetOfSegment(1);
        int len = SEG + 16;
        byte[] first = Arrays.copyOfRange(stored.bytes, a, a + len);
        System.arraycopy(stored.bytes, b, stored.bytes, a, len);
        System.arraycopy(first, 0, stored.bytes, b, len);

        assertThatThrownBy(() -> read(enc, plain, stored, 0, -1)).isInstanceOf(BlobIntegrityException.class);
        assertThatThrownBy(() -> read(enc, plain, stored, SEG, 1)).isInstanceOf(BlobIntegrityException.class);
    }

    @Test
    void aTruncatedOrExtendedBlobFails() throws IOException {
        var enc = with(K1);
        byte[] plain = plaintext(2 * SEG, 10);
        Stored whole = seal(enc, plain);
        // Cut at the segment boundary: segment 0 is intact but not marked last.
        var cutAtBoundary = new Stored(Arrays.copyOf(whole.bytes, (int) SegmentFormat.offsetOfSegment(1)));
        assertThatThrownBy(() -> read(enc, plain, cutAtBoundary, 0, -1)).isInstanceOf(CorruptSegmentException.class);
        var cutMidSegment = new Stored(Arrays.copyOf(whole.bytes, whole.bytes.length - 5));
        assertThatThrownBy(() -> read(enc, plain, cutMidSegment, SEG, -1)).isInstanceOf(BlobIntegrityException.class)
            .hasMessageContaining("cut short");
        var headerOnly = new Stored(Arrays.copyOf(whole.bytes, BlobHeader.BYTES));
        assertThatThrownBy(() -> read(enc, plain, headerOnly, 0, -1)).isInstanceOf(BlobIntegrityException.class);
        var extended = new Stored(Arrays.copyOf(whole.bytes, whole.bytes.length + 1));
        assertThatThrownBy(() -> read(enc, plain, extended, 0, -1)).isInstanceOf(CorruptSegmentException.class)
            .hasMessageContaining("after its last segment");

        byte[] empty = new byte[0];
        Stored emptyBlob = seal(enc, empty);
        var emptyHeaderOnly = new Stored(Arrays.copyOf(emptyBlob.bytes, BlobHeader.BYTES));
        assertThatThrownBy(() -> read(enc, empty, emptyHeaderOnly, 0, -1)).isInstanceOf(BlobIntegrityException.class);
    }

    @Test
    void anEditedHeaderOrABlobUnderAnotherNameFails() throws IOException {
        var enc = with(K1);
        byte[] plain = plaintext(1000, 11);
        Stored stored = seal(enc, plain);
        byte[] shorter = stored.bytes.clone();
        shorter[8 + 4 + 7] = (byte) 0x10; // the low byte of the declared plaintext size
        assertThatThrownBy(() -> read(enc, plain, new Stored(shorter), 0, -1)).isInstanceOf(BlobIntegrityException.class)
            .hasMessageContaining("does not authenticate");
        byte[] other = plaintext(1000, 12);
        assertThatThrownBy(() -> enc.open(BUCKET, ContentHash.ofBytes(other), stored, 0, -1)).isInstanceOf(BlobIntegrityException.class);
        assertThatThrownBy(() -> enc.open("other-bucket", ContentHash.ofBytes(plain), stored, 0, -1)).isInstanceOf(BlobIntegrityException.class);
        var notEncrypted = new Stored(plain);
        assertThatThrownBy(() -> read(enc, plain, notEncrypted, 0, -1)).isInstanceOf(BlobIntegrityException.class)
            .hasMessageContaining("encryption header");
    }

    @Test
    void aWrongKeyIsAClearErrorNamingTheKeyNeeded() throws IOException {
        byte[] plain = plaintext(5000, 13);
        Stored stored = seal(with(K1), plain);
        var wrong = with(K2);
        assertThatThrownBy(() -> read(wrong, plain, stored, 0, -1)).isInstanceOf(EncryptionKeyUnavailableException.class)
            .hasMessageContaining(new Kek(K1).idHex()).hasMessageContaining(new Kek(K2).idHex());
        assertThatThrownBy(() -> read(BlobEncryption.disabled(), plain, stored, 0, -1))
            .isInstanceOf(EncryptionKeyUnavailableException.class).hasMessageContaining("no encryption key is configured");
        assertThat(wrong.rewrap(BUCKET, ContentHash.ofBytes(plain), header(stored), Optional.empty()).state())
            .isEqualTo(Rewrap.State.UNKNOWN_KEY);
    }

    @Test
    void aRewrappedKeyRecordKeepsTheBlobReadableOnceTheOldKeyIsGone() throws IOException {
        byte[] plain = plaintext(SEG + 3, 14);
        ContentHash hash = ContentHash.ofBytes(plain);
        Stored stored = seal(with(K1), plain);
        byte[] contentBefore = stored.bytes.clone();

        var rotated = with(K2, K1);
        assertThat(read(rotated, plain, stored, 0, -1)).as("old key still accepted").isEqualTo(plain);
        Rewrap rewrap = rotated.rewrap(BUCKET, hash, header(stored), stored.override);
        assertThat(rewrap.state()).isEqualTo(Rewrap.State.REWRAPPED);
        assertThat(rewrap.kekId()).isEqualTo(new Kek(K1).idHex());
        stored.override = rewrap.override();
        assertThat(rotated.rewrap(BUCKET, hash, header(stored), stored.override).state()).isEqualTo(Rewrap.State.CURRENT);
        assertThat(stored.bytes).as("content untouched").isEqualTo(contentBefore);

        var onlyNew = with(K2);
        assertThat(read(onlyNew, plain, stored, 0, -1)).isEqualTo(plain);
        assertThat(read(onlyNew, plain, stored, SEG, 3)).isEqualTo(Arrays.copyOfRange(plain, SEG, SEG + 3));

        // A second rotation re-wraps the key record, not the inline key.
        var again = with(K3, K2);
        Rewrap second = again.rewrap(BUCKET, hash, header(stored), stored.override);
        assertThat(second.state()).isEqualTo(Rewrap.State.REWRAPPED);
        assertThat(second.kekId()).isEqualTo(new Kek(K2).idHex());
        stored.override = second.override();
        assertThat(read(with(K3), plain, stored, 0, -1)).isEqualTo(plain);
        assertThat(read(with(K1), plain, stored, 0, -1)).as("inline key still works").isEqualTo(plain);
    }

    @Test
    void aKeyRecordOfAnotherBlobIsIgnoredAndAnAlteredOneRefused() throws IOException {
        byte[] plain = plaintext(100, 15);
        ContentHash hash = ContentHash.ofBytes(plain);
        var rotated = with(K2, K1);
        Stored first = seal(with(K1), plain);
        Stored second = seal(with(K1), plain); // the same content stored again: a new blob id
        second.override = rotated.rewrap(BUCKET, hash, header(first), Optional.empty()).override();
        assertThatThrownBy(() -> read(with(K2), plain, second, 0, -1)).isInstanceOf(EncryptionKeyUnavailableException.class);

        first.override = rotated.rewrap(BUCKET, hash, header(first), Optional.empty()).override();
        first.override.get()[KeyOverride.BYTES - 1] ^= 1;
        assertThatThrownBy(() -> read(with(K2), plain, first, 0, -1)).isInstanceOf(BlobIntegrityException.class);
    }

    @Test
    void contentShorterOrLongerThanDeclaredIsRefused() {
        var enc = with(K1);
        byte[] plain = plaintext(SEG + 1, 16);
        Sealing tooLong = enc.seal(BUCKET, ContentHash.ofBytes(plain), SEG);
        assertThatThrownBy(() -> tooLong.encrypt(new ByteArrayInputStream(plain)).readAllBytes()).isInstanceOf(IOException.class)
            .hasMessageContaining("longer");
        Sealing tooShort = enc.seal(BUCKET, ContentHash.ofBytes(plain), SEG + 2);
        assertThatThrownBy(() -> tooShort.encrypt(new ByteArrayInputStream(plain)).readAllBytes()).isInstanceOf(IOException.class)
            .hasMessageContaining("ended");
    }

    @Test
    void theSameSealingEncryptsToTheSameBytesAndEachBlobGetsItsOwnKey() throws IOException {
        var enc = with(K1);
        byte[] plain = plaintext(SEG * 2 + 9, 17);
        Sealing sealing = enc.seal(BUCKET, ContentHash.ofBytes(plain), plain.length);
        byte[] once = sealing.encrypt(new ByteArrayInputStream(plain)).readAllBytes();
        byte[] twice = sealing.encrypt(new ByteArrayInputStream(plain)).readAllBytes();
        assertThat(twice).as("a retried upload sends the same blob").isEqualTo(once);
        byte[] other = enc.seal(BUCKET, ContentHash.ofBytes(plain), plain.length).encrypt(new ByteArrayInputStream(plain)).readAllBytes();
        assertThat(Arrays.copyOfRange(other, BlobHeader.BYTES, other.length))
            .isNotEqualTo(Arrays.copyOfRange(once, BlobHeader.BYTES, once.length));
    }

    private static byte[] header(Stored stored) {
        return Arrays.copyOf(stored.bytes, BlobHeader.BYTES);
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
