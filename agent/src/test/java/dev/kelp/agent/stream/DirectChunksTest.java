package dev.kelp.agent.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DirectChunksTest {

    private final DirectChunks chunks = new DirectChunks();

    @Test
    void piecesHoldTheContentInOrderAndAreFullButTheLast() throws IOException {
        byte[] content = new byte[2 * DirectChunks.SIZE + 12_345];
        new Random(7).nextBytes(content);
        var in = new ByteArrayInputStream(content);
        byte[] scratch = DirectChunks.scratchFor(content.length);
        var out = new ByteArrayOutputStream();
        int pieces = 0;
        for (ByteBuf piece; (piece = chunks.next(in, scratch, scratch.length)) != null; pieces++) {
            assertThat(piece.readableBytes()).isEqualTo(pieces < 2 ? DirectChunks.SIZE : 12_345);
            byte[] bytes = new byte[piece.readableBytes()];
            piece.readBytes(bytes);
            out.write(bytes);
            assertThat(piece.release()).isTrue();
        }
        assertThat(pieces).isEqualTo(3);
        assertThat(out.toByteArray()).isEqualTo(content);
    }

    @Test
    void aReleasedPieceIsReusedWithoutItsOldBytesShowing() throws IOException {
        byte[] scratch = DirectChunks.scratchFor(-1);
        ByteBuf first = chunks.next(new ByteArrayInputStream(new byte[] {1, 2, 3, 4, 5}), scratch, scratch.length);
        assertThat(chunks.kept()).isZero();
        first.release();
        assertThat(chunks.kept()).isEqualTo(1);

        ByteBuf second = chunks.next(new ByteArrayInputStream(new byte[] {9, 8}), scratch, scratch.length);
        assertThat(chunks.kept()).isZero();
        assertThat(second.readableBytes()).isEqualTo(2);
        assertThat(second.getByte(0)).isEqualTo((byte) 9);
        assertThat(second.getByte(1)).isEqualTo((byte) 8);
        second.release();
    }

    @Test
    void aPieceHoldsNoMoreThanAsked() throws IOException {
        byte[] scratch = DirectChunks.scratchFor(-1);
        var in = new ByteArrayInputStream(new byte[100]);
        ByteBuf piece = chunks.next(in, scratch, 40);
        assertThat(piece.readableBytes()).isEqualTo(40);
        assertThat(in.available()).isEqualTo(60);
        piece.release();
    }

    @Test
    void anEmptyStreamHasNoPiece() throws IOException {
        assertThat(chunks.next(new ByteArrayInputStream(new byte[0]), DirectChunks.scratchFor(0), 1)).isNull();
        assertThat(DirectChunks.scratchFor(10)).hasSize(10);
        assertThat(DirectChunks.scratchFor(10L * DirectChunks.SIZE)).hasSize(DirectChunks.SIZE);
    }
}
