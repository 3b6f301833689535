package dev.kelp.agent.multipart;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;

/**
 * The parts of an upload read one after the other as one stream, each file opened only when
 * the previous one is done, so completing an upload holds one buffer and one open file
 * whatever the object's size. A part whose file does not hold the bytes the manifest says is
 * an error, not a silently shorter object.
 */
final class ConcatenatedParts extends InputStream {

    /** A part file and the size the manifest recorded for it. */
    record Piece(Path file, long size) {
    }

    private final Iterator<Piece> pieces;
    private Piece piece;
    private InputStream current;
    private long readOfCurrent;

    ConcatenatedParts(List<Piece> pieces) {
        this.pieces = List.copyOf(pieces).iterator();
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n == -1 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        while (true) {
            if (current == null) {
                if (!pieces.hasNext()) {
                    return -1;
                }
                piece = pieces.next();
                current = Files.newInputStream(piece.file());
                readOfCurrent = 0;
            }
            int n = current.read(buffer, offset, length);
            if (n == -1) {
                endPiece();
                continue;
            }
            readOfCurrent += n;
            if (readOfCurrent > piece.size()) {
                throw new IOException(piece.file() + " holds more than the " + piece.size() + " bytes recorded for it");
            }
            return n;
        }
    }

    private void endPiece() throws IOException {
        current.close();
        current = null;
        if (readOfCurrent != piece.size()) {
            throw new IOException(piece.file() + " holds " + readOfCurrent + " bytes, not the " + piece.size() + " recorded for it");
        }
    }

    @Override
    public void close() throws IOException {
        if (current != null) {
            current.close();
            current = null;
        }
    }
}
