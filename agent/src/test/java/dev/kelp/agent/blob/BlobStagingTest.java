package dev.kelp.agent.blob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kelp.agent.fallback.FallbackConfig;
import dev.kelp.agent.fallback.FallbackVolume;
import dev.kelp.agent.object.ContentHash;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlobStagingTest {

    private static final long NO_LIMIT = Long.MAX_VALUE;

    @TempDir
    Path dir;

    private FallbackVolume volume(long maxBytes, long reserveBytes) {
        return new FallbackVolume(new FallbackConfig(dir, maxBytes, reserveBytes));
    }

    private BlobStaging staging() {
        return new BlobStaging(volume(0, 0));
    }

    private static byte[] randomBytes(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }

    private long filesIn(Path staging) throws IOException {
        try (Stream<Path> files = Files.list(staging)) {
            return files.count();
        }
    }

    @Test
    void anEmptyBodyStagesAsZeroBytesWithTheHashOfNothing() throws IOException {
        try (var staged = staging().stage(InputStream.nullInputStream(), NO_LIMIT)) {
            assertThat(staged.size()).isZero();
            assertThat(staged.hash().hex()).isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
            assertThat(staged.file()).exists().isEmptyFile();
        }
    }

    @Test
    void aOneByteBodyStagesWithItsHash() throws IOException {
        try (var staged = staging().stage(new ByteArrayInputStream(new byte[] {'a'}), NO_LIMIT)) {
            assertThat(staged.size()).isEqualTo(1);
            assertThat(staged.hash().hex()).isEqualTo("ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb");
            assertThat(staged.file()).hasBinaryContent(new byte[] {'a'});
        }
    }

    @Test
    void aMultiMebibyteBodyArrivingInOddChunksStagesWhole() throws IOException {
        byte[] body = randomBytes(5 * 1024 * 1024 + 123);

        try (var staged = staging().stage(new TricklingInputStream(body), NO_LIMIT)) {
            assertThat(staged.size()).isEqualTo(body.length);
            assertThat(staged.hash()).isEqualTo(ContentHash.ofBytes(body));
            assertThat(Files.readAllBytes(staged.file())).isEqualTo(body);
        }
    }

    @Test
    void aSmallBodyOfKnownLengthIsReadThroughASmallBufferAndAnUnknownOneThroughAFullOne() {
        assertThat(BlobStaging.bufferBytes(4096)).isEqualTo(BlobStaging.MIN_BUFFER_BYTES);
        assertThat(BlobStaging.bufferBytes(0)).isEqualTo(BlobStaging.MIN_BUFFER_BYTES);
        assertThat(BlobStaging.bufferBytes(20_000)).isEqualTo(20_000);
        assertThat(BlobStaging.bufferBytes(5L << 30)).isEqualTo(BlobStaging.BUFFER_BYTES);
        assertThat(BlobStaging.bufferBytes(-1)).isEqualTo(BlobStaging.BUFFER_BYTES);
    }

    @Test
    void aBodyLongerOrShorterThanItDeclaredIsStagedAsItIs() throws IOException {
        byte[] body = randomBytes(300_000);
        for (long declared : new long[] {0, 4096, 299_999, 300_001, 10_000_000}) {
            try (var staged = staging().stage(new TricklingInputStream(body), NO_LIMIT, declared)) {
                assertThat(staged.size()).as("declared %d", declared).isEqualTo(body.length);
                assertThat(staged.hash()).isEqualTo(ContentHash.ofBytes(body));
                assertThat(Files.readAllBytes(staged.file())).isEqualTo(body);
            }
        }
    }

    @Test
    void theLimitHoldsWhateverLengthTheBodyDeclared() {
        assertThatThrownBy(() -> staging().stage(new ByteArrayInputStream(randomBytes(10_001)), 10_000, 100))
            .isInstanceOf(PayloadTooLargeException.class);
    }

    @Test
    void aBodyExactlyAtTheLimitIsAccepted() throws IOException {
        try (var staged = staging().stage(new ByteArrayInputStream(randomBytes(1000)), 1000)) {
            assertThat(staged.size()).isEqualTo(1000);
        }
    }

    @Test
    void aBodyOverTheLimitIs413AndLeavesNothing() {
        var volume = volume(0, 0);
        var staging = new BlobStaging(volume);

        assertThatThrownBy(() -> staging.stage(new ByteArrayInputStream(randomBytes(200_001)), 200_000))
            .isInstanceOfSatisfying(PayloadTooLargeException.class, e -> {
                assertThat(e.status()).isEqualTo(413);
                assertThat(e.code()).isEqualTo("EntityTooLarge");
                assertThat(e.getMessage()).contains("200000");
            });
        assertThat(volume.stagingDir()).isEmptyDirectory();
        assertThat(volume.stagingBytes()).isZero();
    }

    @Test
    void aBodyThatBreaksOffMidwayFailsWithItsIOExceptionAndLeavesNothing() {
        var volume = volume(0, 0);
        var staging = new BlobStaging(volume);
        InputStream brokenOff = new InputStream() {
            private int served;

            @Override
            public int read() throws IOException {
                if (served++ >= 300_000) {
                    throw new IOException("connection reset by peer");
                }
                return 7;
            }
        };

        assertThatThrownBy(() -> staging.stage(brokenOff, NO_LIMIT))
            .isInstanceOf(IOException.class)
            .hasMessage("connection reset by peer");
        assertThat(volume.stagingDir()).isEmptyDirectory();
        assertThat(volume.stagingBytes()).isZero();
    }

    @Test
    void closingDeletesTheFileGivesTheRoomBackAndCanBeRepeated() throws IOException {
        var volume = volume(0, 0);
        var staged = new BlobStaging(volume).stage(new ByteArrayInputStream(randomBytes(300_000)), NO_LIMIT);
        assertThat(volume.stagingBytes()).isEqualTo(300_000);
        Path file = staged.file();
        assertThat(file).exists();

        staged.close();
        staged.close();

        assertThat(file).doesNotExist();
        assertThat(volume.stagingBytes()).isZero();
    }

    @Test
    void aSmallBodyStaysInMemoryUntilAStoreAsksForItsFile() throws IOException {
        var volume = volume(0, 0);
        byte[] body = randomBytes(4096);
        var staged = new BlobStaging(volume).stage(new ByteArrayInputStream(body), NO_LIMIT, body.length);

        assertThat(staged.inMemory()).isTrue();
        assertThat(volume.stagingDir()).isEmptyDirectory();
        assertThat(volume.stagingBytes()).as("room is claimed as for a file, which it may become").isEqualTo(4096);
        try (InputStream in = staged.newStream()) {
            assertThat(in.readAllBytes()).isEqualTo(body);
        }

        Path file = staged.file();
        assertThat(file).hasBinaryContent(body).hasParent(volume.stagingDir());
        assertThat(staged.file()).as("written once").isEqualTo(file);
        if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        }

        staged.close();
        assertThat(file).doesNotExist();
        assertThat(volume.stagingDir()).isEmptyDirectory();
        assertThat(volume.stagingBytes()).isZero();
    }

    @Test
    void aBodyKeptInMemoryAndClosedHasNoFileToGive() throws IOException {
        var staged = staging().stage(new ByteArrayInputStream(randomBytes(10)), NO_LIMIT);
        staged.close();

        assertThatThrownBy(staged::file).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThat(dir.resolve("staging")).isEmptyDirectory();
    }

    @Test
    void aBodyOfExactlyOneBufferStaysInMemoryAndOneByteMoreGoesToAFile() throws IOException {
        var staging = staging();
        byte[] oneBuffer = randomBytes(BlobStaging.BUFFER_BYTES);
        byte[] oneMore = randomBytes(BlobStaging.BUFFER_BYTES + 1);

        try (var staged = staging.stage(new TricklingInputStream(oneBuffer), NO_LIMIT)) {
            assertThat(staged.inMemory()).isTrue();
            assertThat(staged.hash()).isEqualTo(ContentHash.ofBytes(oneBuffer));
            assertThat(filesIn(dir.resolve("staging"))).isZero();
        }
        try (var staged = staging.stage(new TricklingInputStream(oneMore), NO_LIMIT)) {
            assertThat(staged.inMemory()).isFalse();
            assertThat(filesIn(dir.resolve("staging"))).isEqualTo(1);
            assertThat(staged.hash()).isEqualTo(ContentHash.ofBytes(oneMore));
            try (InputStream in = staged.newStream()) {
                assertThat(in.readAllBytes()).isEqualTo(oneMore);
            }
        }
    }

    @Test
    void aBodyKeptInMemoryMovesDurablyAsAFileWould() throws IOException {
        var volume = volume(0, 0);
        byte[] body = randomBytes(1000);
        var staged = new BlobStaging(volume).stage(new ByteArrayInputStream(body), NO_LIMIT);
        Path target = dir.resolve("parts").resolve("part-1");
        Files.createDirectories(target.getParent());

        staged.moveDurably(target);
        staged.close();

        assertThat(target).hasBinaryContent(body);
        assertThat(volume.stagingDir()).isEmptyDirectory();
        assertThat(volume.stagingBytes()).as("the mover accounts for it from now on").isEqualTo(1000);
    }

    @Test
    void leftoversOfKilledUploadsAreRemovedAtStartup() throws IOException {
        Path stagingDir = dir.resolve("staging");
        Files.createDirectories(stagingDir);
        Files.write(stagingDir.resolve("body-123.tmp"), randomBytes(10_000));
        Files.write(stagingDir.resolve("body-456.tmp"), new byte[0]);

        staging();

        assertThat(stagingDir).isEmptyDirectory();
    }

    @Test
    void stagedBodiesCountAgainstTheVolumeLimitUntilClosed() throws IOException {
        var volume = volume(1024 * 1024, 0);
        var staging = new BlobStaging(volume);
        var first = staging.stage(new ByteArrayInputStream(randomBytes(600 * 1024)), NO_LIMIT);

        assertThatThrownBy(() -> staging.stage(new ByteArrayInputStream(randomBytes(600 * 1024)), NO_LIMIT))
            .isInstanceOfSatisfying(InsufficientStorageException.class, e -> assertThat(e.status()).isEqualTo(507))
            .hasMessageContaining("limit of 1048576 bytes");
        assertThat(filesIn(volume.stagingDir())).isEqualTo(1);
        assertThat(volume.stagingBytes()).isEqualTo(600 * 1024);

        first.close();
        try (var second = staging.stage(new ByteArrayInputStream(randomBytes(600 * 1024)), NO_LIMIT)) {
            assertThat(second.size()).isEqualTo(600 * 1024);
        }
    }

    @Test
    void aDiskWithoutItsReserveFreeIs507AndLeavesNothing() {
        var volume = volume(0, Long.MAX_VALUE / 2);
        var staging = new BlobStaging(volume);

        assertThatThrownBy(() -> staging.stage(new ByteArrayInputStream(new byte[] {1}), NO_LIMIT))
            .isInstanceOfSatisfying(InsufficientStorageException.class, e -> assertThat(e.code()).isEqualTo("InsufficientStorage"))
            .hasMessageContaining("kept in reserve");
        assertThat(volume.stagingDir()).isEmptyDirectory();
        assertThat(volume.stagingBytes()).isZero();
    }

    /** Serves a body in uneven pieces, as a network does. */
    private static final class TricklingInputStream extends InputStream {
        private final byte[] body;
        private final Random sizes = new Random(42);
        private int position;

        TricklingInputStream(byte[] body) {
            this.body = body;
        }

        @Override
        public int read() {
            return position < body.length ? body[position++] & 0xff : -1;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            if (position == body.length) {
                return -1;
            }
            int served = Math.min(Math.min(length, 1 + sizes.nextInt(20_000)), body.length - position);
            System.arraycopy(body, position, buffer, offset, served);
            position += served;
            return served;
        }
    }
}
