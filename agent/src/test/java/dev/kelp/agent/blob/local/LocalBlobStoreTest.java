package dev.kelp.agent.blob.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kelp.agent.blob.BlobNotFoundException;
import dev.kelp.agent.blob.InsufficientStorageException;
import dev.kelp.agent.fallback.FallbackConfig;
import dev.kelp.agent.fallback.FallbackVolume;
import dev.kelp.agent.object.ContentHash;
import dev.kelp.agent.object.InvalidKeyException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalBlobStoreTest {

    private static final String BUCKET = "photos";

    @TempDir
    Path dir;

    @TempDir
    Path callerDir;

    private LocalBlobStore store(long maxBytes, long reserveBytes) {
        return new LocalBlobStore(new FallbackVolume(new FallbackConfig(dir, maxBytes, reserveBytes)));
    }

    private LocalBlobStore store() {
        return store(0, 0);
    }

    private record Blob(Path file, ContentHash hash, byte[] bytes) {
        long size() {
            return bytes.length;
        }
    }

    private Blob blob(int size, long seed) throws IOException {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        Path file = Files.write(callerDir.resolve("caller-" + seed + "-" + size), bytes);
        return new Blob(file, ContentHash.ofBytes(bytes), bytes);
    }

    private static byte[] read(InputStream in) throws IOException {
        try (in) {
            return in.readAllBytes();
        }
    }

    private List<Path> filesUnder(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).toList();
        }
    }

    @Test
    void aStoredBlobExistsAndReadsBackWhole() throws IOException {
        var store = store();
        var blob = blob(100_000, 1);

        store.put(BUCKET, blob.hash(), blob.file(), blob.size());

        assertThat(store.exists(BUCKET, blob.hash())).isTrue();
        assertThat(read(store.open(BUCKET, blob.hash(), 0, -1))).isEqualTo(blob.bytes());
        assertThat(dir.resolve("blobs/photos/" + blob.hash().shardedPath())).exists();
        assertThat(store.bytesStored()).isEqualTo(100_000);
    }

    @Test
    void rangeReadsReturnExactlyTheRangeAndStopAtTheEnd() throws IOException {
        var store = store();
        var blob = blob(10_000, 2);
        store.put(BUCKET, blob.hash(), blob.file(), blob.size());
        byte[] bytes = blob.bytes();

        assertThat(read(store.open(BUCKET, blob.hash(), 100, 50))).isEqualTo(slice(bytes, 100, 150));
        assertThat(read(store.open(BUCKET, blob.hash(), 9_990, -1))).isEqualTo(slice(bytes, 9_990, 10_000));
        assertThat(read(store.open(BUCKET, blob.hash(), 9_990, 1_000))).isEqualTo(slice(bytes, 9_990, 10_000));
        assertThat(read(store.open(BUCKET, blob.hash(), 0, 0))).isEmpty();
        assertThat(read(store.open(BUCKET, blob.hash(), 10_000, -1))).isEmpty();
        assertThatThrownBy(() -> store.open(BUCKET, blob.hash(), 10_001, -1))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("past the end");
        assertThatThrownBy(() -> store.open(BUCKET, blob.hash(), -1, 10))
            .isInstanceOf(IllegalArgumentException.class);
    }

    private static byte[] slice(byte[] bytes, int from, int to) {
        return java.util.Arrays.copyOfRange(bytes, from, to);
    }

    @Test
    void anAbsentBlobIsNotFound() {
        var store = store();
        var hash = ContentHash.ofBytes(new byte[] {1, 2, 3});

        assertThat(store.exists(BUCKET, hash)).isFalse();
        assertThatThrownBy(() -> store.open(BUCKET, hash, 0, -1)).isInstanceOf(BlobNotFoundException.class);
    }

    @Test
    void deleteRemovesTheBlobAndItsBytesAndIsANoOpTheSecondTime() throws IOException {
        var store = store();
        var kept = blob(3_000, 3);
        var deleted = blob(5_000, 4);
        store.put(BUCKET, kept.hash(), kept.file(), kept.size());
        store.put(BUCKET, deleted.hash(), deleted.file(), deleted.size());

        store.delete(BUCKET, deleted.hash());
        store.delete(BUCKET, deleted.hash());

        assertThat(store.exists(BUCKET, deleted.hash())).isFalse();
        assertThat(store.exists(BUCKET, kept.hash())).isTrue();
        assertThat(store.bytesStored()).isEqualTo(3_000);
    }

    @Test
    void aSecondPutOfTheSameHashChangesNothing() throws IOException {
        var store = store();
        var blob = blob(4_096, 5);
        store.put(BUCKET, blob.hash(), blob.file(), blob.size());
        Path impostor = Files.write(callerDir.resolve("impostor"), new byte[4_096]);

        store.put(BUCKET, blob.hash(), impostor, 4_096);

        assertThat(read(store.open(BUCKET, blob.hash(), 0, -1))).isEqualTo(blob.bytes());
        assertThat(store.bytesStored()).isEqualTo(4_096);
    }

    @Test
    void theCallerMayDeleteItsFileOnceTheBlobIsStored() throws IOException {
        var store = store();
        var blob = blob(50_000, 6);

        store.put(BUCKET, blob.hash(), blob.file(), blob.size());
        Files.delete(blob.file());

        assertThat(read(store.open(BUCKET, blob.hash(), 0, -1))).isEqualTo(blob.bytes());
    }

    @Test
    void aStagedFileOnTheSameVolumeIsLinkedNotCopied() throws IOException {
        var store = store();
        byte[] bytes = new byte[20_000];
        new Random(7).nextBytes(bytes);
        Path staged = Files.write(Files.createDirectories(dir.resolve("staging")).resolve("body-1.tmp"), bytes);
        var hash = ContentHash.ofBytes(bytes);

        store.put(BUCKET, hash, staged, bytes.length);

        assertThat(Files.getAttribute(dir.resolve("blobs/photos/" + hash.shardedPath()), "unix:nlink")).isEqualTo(2);
    }

    @Test
    void theSameContentInTwoBucketsIsTwoBlobs() throws IOException {
        var store = store();
        var blob = blob(1_000, 8);

        store.put("photos", blob.hash(), blob.file(), blob.size());
        store.put("backups", blob.hash(), blob.file(), blob.size());
        store.delete("photos", blob.hash());

        assertThat(store.exists("backups", blob.hash())).isTrue();
        assertThat(store.bytesStored()).isEqualTo(1_000);
    }

    @Test
    void aBlobOverTheLimitIs507AndNothingOfItIsLeft() throws IOException {
        var store = store(10_000, 0);
        var first = blob(8_000, 9);
        var second = blob(4_000, 10);
        store.put(BUCKET, first.hash(), first.file(), first.size());

        assertThatThrownBy(() -> store.put(BUCKET, second.hash(), second.file(), second.size()))
            .isInstanceOfSatisfying(InsufficientStorageException.class, e -> assertThat(e.status()).isEqualTo(507))
            .hasMessageContaining("limit of 10000 bytes");

        assertThat(store.exists(BUCKET, second.hash())).isFalse();
        assertThat(filesUnder(dir.resolve("blobs"))).containsExactly(dir.resolve("blobs/photos/" + first.hash().shardedPath()));
        assertThat(store.bytesStored()).isEqualTo(8_000);
    }

    @Test
    void aDiskWithoutItsReserveFreeTakesNoNewBlob() throws IOException {
        var store = store(0, Long.MAX_VALUE / 2);
        var blob = blob(10, 11);

        assertThatThrownBy(() -> store.put(BUCKET, blob.hash(), blob.file(), blob.size()))
            .isInstanceOf(InsufficientStorageException.class)
            .hasMessageContaining("kept in reserve");
        assertThat(filesUnder(dir.resolve("blobs"))).isEmpty();
        assertThat(store.bytesStored()).isZero();
    }

    @Test
    void aDeclaredSizeThatIsNotTheFilesIsRefusedAndStoresNothing() throws IOException {
        var store = store();
        var blob = blob(1_000, 12);

        assertThatThrownBy(() -> store.put(BUCKET, blob.hash(), blob.file(), 999))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("1000 bytes, not the 999 declared");
        assertThat(store.exists(BUCKET, blob.hash())).isFalse();
        assertThat(store.bytesStored()).isZero();
    }

    @Test
    void aBucketNameThatIsNotOneCannotReachOutOfTheStore() throws IOException {
        var store = store();
        var blob = blob(10, 13);

        assertThatThrownBy(() -> store.put("../escape", blob.hash(), blob.file(), blob.size()))
            .isInstanceOf(InvalidKeyException.class);
        assertThat(filesUnder(dir)).isEmpty();
    }

    @Test
    void bytesStoredIsRecountedByANewStoreOverTheSameVolume() throws IOException {
        var store = store();
        for (int i = 0; i < 3; i++) {
            var blob = blob(1_000 * (i + 1), 20 + i);
            store.put(BUCKET, blob.hash(), blob.file(), blob.size());
        }

        assertThat(store().bytesStored()).isEqualTo(6_000);
    }

    @Test
    void aPutCutShortByACrashIsRemovedAtStartupAndNotCounted() throws IOException {
        var store = store();
        var blob = blob(2_000, 30);
        store.put(BUCKET, blob.hash(), blob.file(), blob.size());
        var unfinished = ContentHash.ofBytes(new byte[] {9});
        Path temp = dir.resolve("blobs/photos/" + unfinished.shardedPath() + ".tmp");
        Files.createDirectories(temp.getParent());
        Files.write(temp, new byte[500]);

        var restarted = store();

        assertThat(temp).doesNotExist();
        assertThat(restarted.exists(BUCKET, unfinished)).isFalse();
        assertThat(restarted.bytesStored()).isEqualTo(2_000);
    }

    @Test
    void concurrentPutsOfOneBlobStoreAndCountItOnce() throws Exception {
        var store = store();
        var blob = blob(64_000, 40);
        var pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Void>> puts = IntStream.range(0, 8).<Callable<Void>>mapToObj(i -> () -> {
                store.put(BUCKET, blob.hash(), blob.file(), blob.size());
                return null;
            }).toList();
            for (var done : pool.invokeAll(puts)) {
                done.get();
            }
        } finally {
            pool.shutdown();
        }

        assertThat(store.bytesStored()).isEqualTo(64_000);
        assertThat(filesUnder(dir.resolve("blobs"))).hasSize(1);
    }
}
