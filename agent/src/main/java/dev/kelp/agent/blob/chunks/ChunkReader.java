package dev.kelp.agent.blob.chunks;

import dev.kelp.agent.object.ContentHash;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/**
 * Cuts a stream into content-defined chunks, one at a time, holding no more than one
 * {@link ContentDefinedChunker#maxSize()} of it in memory however long the stream is.
 */
public final class ChunkReader implements AutoCloseable {

    /** A chunk's bytes are {@code buffer[0, length)}, valid until the next {@link #next()}. */
    public record Chunk(byte[] buffer, int length, ContentHash hash) {
    }

    private final InputStream in;
    private final ContentDefinedChunker chunker;
    private final byte[] buffer;
    private final MessageDigest digest = ContentHash.newDigest();
    private int filled;
    private int handedOut;
    private boolean ended;

    public ChunkReader(InputStream in, ContentDefinedChunker chunker) {
        this.in = in;
        this.chunker = chunker;
        this.buffer = new byte[chunker.maxSize()];
    }

    /** The next chunk, or null at the end of the stream. */
    public Chunk next() throws IOException {
        if (handedOut > 0) {
            System.arraycopy(buffer, handedOut, buffer, 0, filled - handedOut);
            filled -= handedOut;
            handedOut = 0;
        }
        while (!ended && filled < buffer.length) {
            int n = in.read(buffer, filled, buffer.length - filled);
            if (n < 0) {
                ended = true;
            } else {
                filled += n;
            }
        }
        if (filled == 0) {
            return null;
        }
        int length = chunker.cut(buffer, 0, filled);
        handedOut = length;
        digest.update(buffer, 0, length);
        return new Chunk(buffer, length, ContentHash.of(digest));
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
