package dev.kelp.agent.blob.chunks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.agent.object.ContentHash;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.Test;

class ChunkReaderTest {

    private final ContentDefinedChunker chunker = new ContentDefinedChunker(4096);

    /** A stream that hands out at most {@code sizes.applyAsInt(call)} bytes per read, as a socket may. */
    private static InputStream dribbling(byte[] data, IntUnaryOperator sizes) {
        return new FilterInputStream(new ByteArrayInputStream(data)) {
            private int call;

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return super.read(b, off, Math.min(len, Math.max(1, sizes.applyAsInt(call++))));
            }
        };
    }

    private record Read(List<byte[]> chunks, List<ContentHash> hashes) {
        List<Integer> lengths() {
            return chunks.stream().map(c -> c.length).toList();
        }

        byte[] concatenated() {
            var out = new ByteArrayOutputStream();
            chunks.forEach(out::writeBytes);
            return out.toByteArray();
        }
    }

    private Read readAll(InputStream in) throws IOException {
        List<byte[]> chunks = new ArrayList<>();
        List<ContentHash> hashes = new ArrayList<>();
        try (var reader = new ChunkReader(in, chunker)) {
            for (ChunkReader.Chunk chunk; (chunk = reader.next()) != null; ) {
                assertThat(chunk.length()).isPositive().isLessThanOrEqualTo(chunker.maxSize());
                // Valid until the next call only: keep a copy.
                chunks.add(Arrays.copyOf(chunk.buffer(), chunk.length()));
                hashes.add(chunk.hash());
            }
            assertThat(reader.next()).as("still at the end").isNull();
        }
        return new Read(chunks, hashes);
    }

    @Test
    void theChunksConcatenateToTheInputAndAreCutAsTheChunkerCutsTheWholeOfIt() throws IOException {
        byte[] data = ContentDefinedChunkerTest.random(3 << 20, 21);
        Read read = readAll(new ByteArrayInputStream(data));

        assertThat(read.concatenated()).isEqualTo(data);
        assertThat(read.lengths()).isEqualTo(ContentDefinedChunkerTest.lengths(chunker, data));
        assertThat(read.chunks()).hasSizeGreaterThan(100);
    }

    @Test
    void theCutsDoNotDependOnHowTheStreamHandsOutItsBytes() throws IOException {
        byte[] data = ContentDefinedChunkerTest.random(1 << 20, 22);
        Read whole = readAll(new ByteArrayInputStream(data));

        Read oneByte = readAll(dribbling(data, call -> 1));
        Read odd = readAll(dribbling(data, call -> new int[] {7, 1, 4093, 13, 16385, 2}[call % 6]));
        Read large = readAll(dribbling(data, call -> 1 << 20));

        for (Read read : List.of(oneByte, odd, large)) {
            assertThat(read.lengths()).isEqualTo(whole.lengths());
            assertThat(read.hashes()).isEqualTo(whole.hashes());
            assertThat(read.concatenated()).isEqualTo(data);
        }
    }

    @Test
    void eachChunkCarriesTheSha256OfItsBytes() throws IOException {
        byte[] data = ContentDefinedChunkerTest.random(200_000, 23);
        Read read = readAll(new ByteArrayInputStream(data));
        assertThat(read.chunks()).hasSizeGreaterThan(5);
        for (int i = 0; i < read.chunks().size(); i++) {
            assertThat(read.hashes().get(i)).isEqualTo(ContentHash.ofBytes(read.chunks().get(i)));
        }
        // The digest starts afresh for each chunk: two equal chunks have equal hashes.
        byte[] twice = new byte[2 * 16384];
        Arrays.fill(twice, (byte) 'x');
        Read repeated = readAll(new ByteArrayInputStream(twice));
        assertThat(repeated.hashes()).hasSizeGreaterThan(1);
        assertThat(repeated.hashes().get(1)).isEqualTo(repeated.hashes().get(0));
    }

    @Test
    void anEmptyStreamHasNoChunkAndAShortOneIsOneChunk() throws IOException {
        try (var reader = new ChunkReader(InputStream.nullInputStream(), chunker)) {
            assertThat(reader.next()).isNull();
            assertThat(reader.next()).isNull();
        }
        Read one = readAll(dribbling("tiny".getBytes(), call -> 1));
        assertThat(one.chunks()).singleElement().isEqualTo("tiny".getBytes());
        assertThat(one.hashes()).containsExactly(ContentHash.ofBytes("tiny".getBytes()));
    }

    @Test
    void closingTheReaderClosesTheStream() throws IOException {
        var closed = new AtomicBoolean();
        var in = new ByteArrayInputStream(new byte[10]) {
            @Override
            public void close() {
                closed.set(true);
            }
        };
        new ChunkReader(in, chunker).close();
        assertThat(closed).isTrue();
    }
}
