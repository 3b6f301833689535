package dev.kelp.agent.blob.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.agent.blob.BlobStaging;
import dev.kelp.agent.blob.InsufficientStorageException;
import dev.kelp.agent.encryption.BlobEncryption;
import dev.kelp.agent.fallback.FallbackConfig;
import dev.kelp.agent.fallback.FallbackVolume;
import dev.kelp.agent.object.ContentHash;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The disk cache on a real directory: what it keeps, what it refuses to keep, and that it gives way to writes. */
class BlobDiskCacheTest {

    private static final int KIB = 1024;

    @TempDir
    Path dir;

    private FallbackVolume volume(long maxBytes) {
        return new FallbackVolume(new FallbackConfig(dir, maxBytes, 0));
    }

    private static BlobDiskCache cache(FallbackVolume volume, long maxBytes) {
        // The SHA-256 check of a copy made by a read runs on the reading thread, so each test sees its outcome at once.
        return new BlobDiskCache(volume, new DiskCacheConfig(maxBytes), BlobEncryption.disabled(), new SimpleMeterRegistry(), Runnable::run);
    }

    private static byte[] bytes(int size, int seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] read(InputStream in) throws IOException {
        try (in) {
            return in.readAllBytes();
        }
    }

    /** A staged body, as a write hands it over once SeaweedFS has it. */
    private void keepWritten(FallbackVolume volume, BlobDiskCache cache, byte[] content) throws IOException {
        try (var staged = new BlobStaging(volume).stage(new ByteArrayInputStream(content), Long.MAX_VALUE)) {
            cache.keep("bkt", staged.hash(), staged.file(), staged.size());
        }
    }

    @Test
    void aWrittenBodyOutlivesItsStagingFileAsTheCopyAndServesRanges() throws IOException {
        var volume = volume(0);
        var cache = cache(volume, 8 * 1024 * KIB);
        byte[] content = bytes(300 * KIB, 1);
        ContentHash hash = ContentHash.ofBytes(content);

        keepWritten(volume, cache, content);

        assertThat(cache.bytes()).isEqualTo(content.length);
        assertThat(read(cache.open("bkt", hash, content.length, 0, -1).orElseThrow())).isEqualTo(content);
        byte[] range = read(cache.open("bkt", hash, content.length, 1000, 5000).orElseThrow());
        assertThat(range).isEqualTo(java.util.Arrays.copyOfRange(content, 1000, 6000));
        assertThat(cache.open("other-bkt", hash, content.length, 0, -1)).as("another bucket's blob").isEmpty();
        assertThat(cache.open("bkt", hash, content.length + 1, 0, -1)).as("a size the metadata does not say").isEmpty();
    }

    @Test
    void aWholeReadFillsTheCacheOnlyWhenItsBytesAreTheBlob() throws IOException {
        var cache = cache(volume(0), 8 * 1024 * KIB);
        byte[] content = bytes(200 * KIB, 2);
        ContentHash hash = ContentHash.ofBytes(content);

        byte[] tampered = content.clone();
        tampered[7] ^= 1;
        assertThat(read(cache.filling("bkt", hash, content.length, new ByteArrayInputStream(tampered))))
            .as("the reader gets what the source gave").isEqualTo(tampered);
        assertThat(cache.open("bkt", hash, content.length, 0, -1)).as("a copy that does not hash to the blob").isEmpty();

        try (var partial = cache.filling("bkt", hash, content.length, new ByteArrayInputStream(content))) {
            partial.readNBytes(1000);
        }
        assertThat(cache.open("bkt", hash, content.length, 0, -1)).as("a read stopped early").isEmpty();

        assertThat(read(cache.filling("bkt", hash, content.length, new ByteArrayInputStream(content)))).isEqualTo(content);
        assertThat(read(cache.open("bkt", hash, content.length, 0, -1).orElseThrow())).isEqualTo(content);
        assertThat(cache.bytes()).isEqualTo(content.length);
        try (var files = Files.list(dir.resolve("cache").resolve("filling"))) {
            assertThat(files).as("no copy in the making left behind").isEmpty();
        }
    }

    @Test
    void copiesInTheMakingAreBoundedAndReadsPastThemAreNotCopied() throws IOException {
        var checks = new java.util.ArrayList<Runnable>();
        long maxBytes = 8 * 1024 * KIB;
        var cache = new BlobDiskCache(volume(0), new DiskCacheConfig(maxBytes), BlobEncryption.disabled(),
            new SimpleMeterRegistry(), checks::add);
        int size = 512 * KIB;
        int fit = (int) (maxBytes / BlobDiskCache.IN_MAKING_SHARE / size);
        var contents = new java.util.ArrayList<byte[]>();
        for (int i = 0; i <= fit; i++) {
            byte[] content = bytes(size, 20 + i);
            contents.add(content);
            assertThat(read(cache.filling("bkt", ContentHash.ofBytes(content), content.length, new ByteArrayInputStream(content))))
                .as("the reader never waits for the check").isEqualTo(content);
        }
        assertThat(checks).hasSize(fit);
        assertThat(cache.bytes()).as("copies waiting for their check count against the volume").isEqualTo((long) fit * size);
        for (byte[] content : contents) {
            assertThat(cache.open("bkt", ContentHash.ofBytes(content), content.length, 0, -1)).as("nothing is served before its check").isEmpty();
        }

        checks.forEach(Runnable::run);

        assertThat(cache.bytes()).isEqualTo((long) fit * size);
        byte[] dropped = contents.getLast();
        assertThat(cache.open("bkt", ContentHash.ofBytes(dropped), dropped.length, 0, -1)).as("past the bound: not kept").isEmpty();
        try (var files = Files.list(dir.resolve("cache").resolve("filling"))) {
            assertThat(files).as("no copy in the making left behind").isEmpty();
        }
        byte[] later = bytes(size, 40);
        read(cache.filling("bkt", ContentHash.ofBytes(later), later.length, new ByteArrayInputStream(later)));
        assertThat(checks).as("checked copies free their share of the bound").hasSize(fit + 1);
    }

    @Test
    void aWriteThatNeedsTheRoomOfACopyInTheMakingCancelsItAndTheReadGoesOn() throws IOException {
        var volume = volume(1024 * KIB);
        var cache = cache(volume, 8 * 1024 * KIB);
        byte[] content = bytes(300 * KIB, 30);
        ContentHash hash = ContentHash.ofBytes(content);

        try (var reading = cache.filling("bkt", hash, content.length, new ByteArrayInputStream(content))) {
            byte[] head = reading.readNBytes(1000);
            assertThat(cache.bytes()).as("the copy's room is held from the start of the read").isEqualTo(content.length);

            // 900 KiB of fallback blobs fit the 1024 KiB limit only without the copy's 300.
            volume.claimStored(900L * KIB);

            assertThat(cache.bytes()).isZero();
            byte[] rest = reading.readAllBytes();
            assertThat(head.length + rest.length).as("the reader gets every byte all the same").isEqualTo(content.length);
        }
        assertThat(cache.open("bkt", hash, content.length, 0, -1)).as("a cancelled copy is not kept").isEmpty();
        try (var files = Files.list(dir.resolve("cache").resolve("filling"))) {
            assertThat(files).as("its file is gone").isEmpty();
        }
    }

    @Test
    void aWriteThatNeedsTheRoomHasTheCacheGiveWayInsteadOf507() throws IOException {
        var volume = volume(1024 * KIB);
        var cache = cache(volume, 8 * 1024 * KIB);
        for (int i = 0; i < 6; i++) {
            keepWritten(volume, cache, bytes(100 * KIB, 10 + i));
        }
        assertThat(cache.bytes()).isEqualTo(600L * KIB);

        // 700 KiB of fallback blobs fit only if the cache gives up at least 300 KiB of its 600.
        volume.claimStored(700L * KIB);

        assertThat(volume.storedBytes() + cache.bytes()).isLessThanOrEqualTo(1024L * KIB);
        Assertions.assertThatThrownBy(() -> volume.claimStored(400L * KIB))
            .as("past what the cache can give, the limit still holds").isInstanceOf(InsufficientStorageException.class);
        assertThat(cache.bytes()).isZero();
        try (var files = Files.walk(dir.resolve("cache")).filter(Files::isRegularFile)) {
            assertThat(files).as("the copies given up are deleted").isEmpty();
        }
    }

    @Test
    void theCacheTakesNoRoomTheLimitHasNotGotAndNoCopyLargerThanAnEighthOfItself() throws IOException {
        var volume = volume(1024 * KIB);
        var cache = cache(volume, 8 * 1024 * KIB);
        volume.claimStored(900L * KIB);
        keepWritten(volume, cache, bytes(100 * KIB, 3));
        assertThat(cache.bytes()).as("the volume's limit has no room for it").isZero();

        var roomy = cache(volume(0), 800 * KIB);
        byte[] large = bytes(101 * KIB, 4);
        assertThat(read(roomy.filling("bkt", ContentHash.ofBytes(large), large.length, new ByteArrayInputStream(large)))).isEqualTo(large);
        assertThat(roomy.bytes()).as("over an eighth of 800 KiB").isZero();
    }

    @Test
    void everyStartEmptiesTheCacheAndEncryptionOrZeroKeepsItOff() throws IOException {
        var volume = volume(0);
        var cache = cache(volume, 8 * 1024 * KIB);
        byte[] content = bytes(50 * KIB, 5);
        keepWritten(volume, cache, content);
        assertThat(cache.bytes()).isPositive();

        var restarted = cache(volume(0), 8 * 1024 * KIB);
        assertThat(restarted.open("bkt", ContentHash.ofBytes(content), content.length, 0, -1)).isEmpty();
        try (var files = Files.walk(dir.resolve("cache")).filter(Files::isRegularFile)) {
            assertThat(files).as("copies that may have been cut short by a crash").isEmpty();
        }

        var off = cache(volume(0), 0);
        keepWritten(volume, off, content);
        assertThat(off.enabled()).isFalse();
        assertThat(off.bytes()).isZero();
    }
}
