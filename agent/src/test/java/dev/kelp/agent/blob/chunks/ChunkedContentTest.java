package dev.kelp.agent.blob.chunks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kelp.agent.blob.chunks.ChunkManifest.Entry;
import dev.kelp.agent.object.ContentHash;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChunkedContentTest {

    private static final int[] LENGTHS = {3, 5, 1, 7};
    private static final ContentHash BLOB = ContentHash.ofBytes("chunked".getBytes(StandardCharsets.UTF_8));

    /** The blob's content: 16 distinct bytes, so that a byte out of place shows. */
    private final byte[] content = new byte[16];
    private final Map<ContentHash, byte[]> stored = new HashMap<>();
    private final ChunkManifest manifest;

    /** What a test's opener was asked for. */
    private record Opened(ContentHash chunk, long offset, long length) {
    }

    private final List<Opened> opened = new ArrayList<>();
    private final List<Tracked> streams = new ArrayList<>();

    /** A chunk's stream that remembers whether it was closed. */
    private static final class Tracked extends ByteArrayInputStream {
        boolean closed;

        Tracked(byte[] bytes, int offset, int length) {
            super(bytes, offset, length);
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    ChunkedContentTest() {
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) (100 + i);
        }
        List<Entry> entries = new ArrayList<>();
        int at = 0;
        for (int length : LENGTHS) {
            byte[] chunk = Arrays.copyOfRange(content, at, at + length);
            ContentHash hash = ContentHash.ofBytes(chunk);
            stored.put(hash, chunk);
            entries.add(new Entry(hash, length));
            at += length;
        }
        manifest = new ChunkManifest(BLOB, content.length, entries);
    }

    private InputStream open(ContentHash chunk, long offset, long length) {
        opened.add(new Opened(chunk, offset, length));
        assertThat(offset).isNotNegative();
        assertThat(length).isPositive();
        byte[] bytes = stored.get(chunk);
        assertThat(offset + length).isLessThanOrEqualTo(bytes.length);
        var stream = new Tracked(bytes, (int) offset, (int) length);
        streams.add(stream);
        return stream;
    }

    private ChunkedContent content(long offset, long length) {
        return new ChunkedContent(manifest, offset, length, this::open);
    }

    /** The chunk parts a read of {@code [offset, end)} needs, in order. */
    private List<Opened> needed(int offset, int end) {
        List<Opened> needed = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < LENGTHS.length; i++) {
            int from = Math.max(offset, start);
            int to = Math.min(end, start + LENGTHS[i]);
            if (from < to) {
                needed.add(new Opened(manifest.chunks().get(i).hash(), from - start, to - from));
            }
            start += LENGTHS[i];
        }
        return needed;
    }

    private static byte[] readInPieces(InputStream in, int piece) throws IOException {
        var out = new ByteArrayOutputStream();
        byte[] buffer = new byte[piece];
        for (int n; (n = in.read(buffer, 0, piece)) >= 0; ) {
            assertThat(n).as("a read of %d bytes", piece).isPositive();
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    private static byte[] readByteByByte(InputStream in) throws IOException {
        var out = new ByteArrayOutputStream();
        for (int b; (b = in.read()) >= 0; ) {
            out.write(b);
        }
        return out.toByteArray();
    }

    @Test
    void everyRangeReadsTheSameBytesAsTheSameSliceOfTheWholeAndOpensOnlyWhatItNeeds() throws IOException {
        int size = content.length;
        for (int offset = 0; offset <= size; offset++) {
            for (long length = -1; length <= size - offset + 2; length++) {
                int end = length < 0 ? size : (int) Math.min(size, offset + length);
                byte[] expected = Arrays.copyOfRange(content, offset, end);
                String range = "[" + offset + ", +" + length + ")";

                opened.clear();
                streams.clear();
                try (var in = content(offset, length)) {
                    assertThat(in.readAllBytes()).as(range).isEqualTo(expected);
                    assertThat(in.read()).as(range + " at its end").isEqualTo(-1);
                }
                assertThat(opened).as("chunks opened for " + range).isEqualTo(needed(offset, end));
                assertThat(streams).as("closed once read").allSatisfy(s -> assertThat(s.closed).isTrue());

                for (int piece : new int[] {1, 2, 3, 4, 7, 64}) {
                    opened.clear();
                    try (var in = content(offset, length)) {
                        assertThat(readInPieces(in, piece)).as(range + " in pieces of " + piece).isEqualTo(expected);
                    }
                    assertThat(opened).as("chunks opened for " + range + " in pieces of " + piece).isEqualTo(needed(offset, end));
                }
                opened.clear();
                try (var in = content(offset, length)) {
                    assertThat(readByteByByte(in)).as(range + " byte by byte").isEqualTo(expected);
                }
                assertThat(opened).as("chunks opened for " + range + " byte by byte").isEqualTo(needed(offset, end));
            }
        }
    }

    @Test
    void aLengthBelowZeroOrPastTheEndReadsToTheEnd() throws IOException {
        try (var in = content(0, -1)) {
            assertThat(in.readAllBytes()).isEqualTo(content);
        }
        try (var in = content(5, -1)) {
            assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(content, 5, 16));
        }
        try (var in = content(5, Long.MAX_VALUE)) {
            assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(content, 5, 16));
        }
        try (var in = content(16, -1)) {
            assertThat(in.read()).isEqualTo(-1);
        }
        assertThat(opened).isEqualTo(List.of(needed(0, 16), needed(5, 16), needed(5, 16)).stream().flatMap(List::stream).toList());
    }

    @Test
    void aSmallRangeOpensOnlyThePartOfTheOneChunkItIsIn() throws IOException {
        try (var in = content(10, 3)) {
            assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(content, 10, 13));
        }
        assertThat(opened).containsExactly(new Opened(manifest.chunks().get(3).hash(), 1, 3));
        opened.clear();
        try (var in = content(4, 0)) {
            assertThat(in.read()).isEqualTo(-1);
        }
        assertThat(opened).as("an empty range opens nothing").isEmpty();
    }

    @Test
    void nothingIsOpenedBeforeTheFirstRead() throws IOException {
        try (var in = content(0, -1)) {
            assertThat(opened).isEmpty();
            assertThat(in.read(new byte[0], 0, 0)).isZero();
            assertThat(opened).isEmpty();
        }
        assertThat(opened).isEmpty();
    }

    @Test
    void anOffsetOutsideTheBlobIsRefused() {
        assertThatThrownBy(() -> content(17, -1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("offset 17");
        assertThatThrownBy(() -> content(-1, 2)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("offset -1");
    }

    @Test
    void aChunkThatEndsEarlyIsAnErrorNotAShortRead() throws IOException {
        ChunkedContent.ChunkOpener shortOne = (chunk, offset, length) -> {
            opened.add(new Opened(chunk, offset, length));
            byte[] bytes = stored.get(chunk);
            long n = chunk.equals(manifest.chunks().get(1).hash()) ? length - 2 : length;
            return new ByteArrayInputStream(bytes, (int) offset, (int) n);
        };
        try (var in = new ChunkedContent(manifest, 0, -1, shortOne)) {
            assertThat(in.readNBytes(3)).isEqualTo(Arrays.copyOfRange(content, 0, 3));
            assertThatThrownBy(in::readAllBytes).isInstanceOf(IOException.class)
                .hasMessageContainingAll(manifest.chunks().get(1).hash().hex(), BLOB.hex(), "2 bytes early");
        }
        ChunkedContent.ChunkOpener empty = (chunk, offset, length) -> InputStream.nullInputStream();
        try (var in = new ChunkedContent(manifest, 4, 2, empty)) {
            assertThatThrownBy(in::read).isInstanceOf(IOException.class).hasMessageContaining("2 bytes early");
        }
    }

    @Test
    void aChunkLongerThanItsManifestSaysIsAnErrorNotTakenForTheNext() throws IOException {
        ChunkedContent.ChunkOpener longOne = (chunk, offset, length) -> {
            byte[] bytes = stored.get(chunk);
            byte[] longer = Arrays.copyOf(Arrays.copyOfRange(bytes, (int) offset, (int) (offset + length)), (int) length + 1);
            return new ByteArrayInputStream(chunk.equals(manifest.chunks().get(0).hash()) ? longer : Arrays.copyOfRange(bytes,
                (int) offset, (int) (offset + length)));
        };
        try (var in = new ChunkedContent(manifest, 0, -1, longOne)) {
            assertThatThrownBy(in::readAllBytes).isInstanceOf(IOException.class)
                .hasMessageContainingAll(manifest.chunks().get(0).hash().hex(), "holds more than the 3 bytes");
        }
    }

    @Test
    void closingAPartlyReadStreamClosesItsChunkAndOpensNoOther() throws IOException {
        var in = content(1, -1);
        assertThat(in.readNBytes(3)).isEqualTo(Arrays.copyOfRange(content, 1, 4));
        assertThat(opened).containsExactly(needed(1, 16).get(0), needed(1, 16).get(1));
        Tracked current = streams.getLast();
        assertThat(current.closed).isFalse();

        in.close();
        assertThat(current.closed).isTrue();
        assertThat(streams).allSatisfy(s -> assertThat(s.closed).isTrue());
        assertThat(in.read()).isEqualTo(-1);
        assertThat(in.read(new byte[8], 0, 8)).isEqualTo(-1);
        assertThat(in.readAllBytes()).isEmpty();
        in.close();
        assertThat(opened).hasSize(2);
    }

    @Test
    void readingAheadOpensEachNeededChunkOnceAndClosesWhatItDropped() throws IOException {
        // Opens ahead at once, so the test sees it; two chunks ahead, of three slots for all reads.
        var slots = new java.util.concurrent.Semaphore(3);
        var now = new ChunkedContent.ReadAhead(Runnable::run, slots, 2);
        int size = content.length;
        for (int offset = 0; offset <= size; offset++) {
            for (long length = -1; length <= size - offset; length++) {
                int end = length < 0 ? size : (int) Math.min(size, offset + length);
                String range = "[" + offset + ", +" + length + ")";
                opened.clear();
                streams.clear();
                try (var in = new ChunkedContent(manifest, offset, length, this::open, now)) {
                    assertThat(readInPieces(in, 2)).as(range).isEqualTo(Arrays.copyOfRange(content, offset, end));
                }
                assertThat(opened).as("chunks opened for " + range).isEqualTo(needed(offset, end));
                assertThat(streams).as("all closed").allSatisfy(st -> assertThat(st.closed).isTrue());
                assertThat(slots.availablePermits()).as("slots given back after " + range).isEqualTo(3);
            }
        }
        // Closed in the first chunk: the chunks opened ahead are closed too, never read.
        opened.clear();
        streams.clear();
        var in = new ChunkedContent(manifest, 0, -1, this::open, now);
        assertThat(in.readNBytes(2)).isEqualTo(Arrays.copyOfRange(content, 0, 2));
        assertThat(opened).as("the first chunk and two ahead").hasSize(3);
        in.close();
        assertThat(streams).hasSize(3).allSatisfy(st -> assertThat(st.closed).isTrue());
        assertThat(slots.availablePermits()).isEqualTo(3);

        // No slot free: no read-ahead, and the read is the same.
        opened.clear();
        slots.acquireUninterruptibly(3);
        try (var all = new ChunkedContent(manifest, 0, -1, this::open, now)) {
            assertThat(all.readNBytes(2)).isEqualTo(Arrays.copyOfRange(content, 0, 2));
            assertThat(opened).hasSize(1);
            assertThat(all.readAllBytes()).isEqualTo(Arrays.copyOfRange(content, 2, 16));
        }
        slots.release(3);
    }
}
