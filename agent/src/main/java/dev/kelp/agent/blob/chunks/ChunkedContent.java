package dev.kelp.agent.blob.chunks;

import dev.kelp.agent.object.ContentHash;
import java.io.IOException;
import java.io.InputStream;

/**
 * A range of a chunked blob's content, read chunk after chunk: each chunk is opened only when
 * the reader gets to it, and only the part of it in the range, so a small range read of a
 * large blob fetches one or two chunks and memory stays flat for any size.
 */
public final class ChunkedContent extends InputStream {

    /** Opens {@code length} bytes of a chunk from {@code offset}. */
    @FunctionalInterface
    public interface ChunkOpener {
        InputStream open(ContentHash chunk, long offset, long length);
    }

    private final ChunkManifest manifest;
    private final ChunkOpener opener;
    private final long end;
    private long position;
    private int index;
    private long chunkStart;
    private InputStream current;

    /** {@code length < 0}: to the end of the blob. */
    public ChunkedContent(ChunkManifest manifest, long offset, long length, ChunkOpener opener) {
        if (offset < 0 || offset > manifest.size()) {
            throw new IllegalArgumentException("offset " + offset + " is outside blob " + manifest.blob() + " of " + manifest.size() + " bytes");
        }
        this.manifest = manifest;
        this.opener = opener;
        // Not offset + length: a length such as Long.MAX_VALUE ("all of it") would overflow.
        this.end = length < 0 || length > manifest.size() - offset ? manifest.size() : offset + length;
        this.position = offset;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (position < end) {
            if (current == null) {
                openChunkAtPosition();
            }
            long chunkEnd = chunkStart + manifest.chunks().get(index).length();
            long stop = Math.min(chunkEnd, end);
            if (position < stop) {
                int n = current.read(b, off, (int) Math.min(len, stop - position));
                if (n > 0) {
                    position += n;
                    return n;
                }
                throw new IOException("chunk " + manifest.chunks().get(index).hash() + " of blob " + manifest.blob() + " ended "
                    + (stop - position) + " bytes early");
            }
            // Read to the chunk's end of stream: a body read to its end keeps its connection for the
            // next chunk, and a chunk longer than its manifest says is refused, not taken for the next.
            if (current.read() >= 0) {
                throw new IOException("chunk " + manifest.chunks().get(index).hash() + " of blob " + manifest.blob()
                    + " holds more than the " + manifest.chunks().get(index).length() + " bytes its manifest says");
            }
            closeCurrent();
            chunkStart = chunkEnd;
            index++;
        }
        return -1;
    }

    private void openChunkAtPosition() {
        while (chunkStart + manifest.chunks().get(index).length() <= position) {
            chunkStart += manifest.chunks().get(index).length();
            index++;
        }
        var chunk = manifest.chunks().get(index);
        long from = position - chunkStart;
        long to = Math.min(chunk.length(), end - chunkStart);
        current = opener.open(chunk.hash(), from, to - from);
    }

    private void closeCurrent() throws IOException {
        if (current != null) {
            InputStream done = current;
            current = null;
            done.close();
        }
    }

    @Override
    public void close() throws IOException {
        position = end;
        closeCurrent();
    }
}
