package dev.kelp.agent.multipart;

import dev.kelp.agent.object.ContentHash;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Iterator;
import java.util.List;

/**
 * The parts of an upload read one after the other as one stream, each file opened only when
 * the previous one is done, so completing an upload holds one buffer and one open file
 * whatever the object's size. A part whose file does not hold the bytes the manifest says
 * (size and SHA-256, checked as it is read) is an error, not an object that silently differs
 * from what the client sent: the client was told those parts were durable.
 */
final class ConcatenatedParts extends InputStream {

    /** A part file and the size and hash the manifest recorded for it. */
    record Piece(int partNumber, Path file, long size, ContentHash hash) {
    }

    /** A part file that does not hold what the manifest recorded: the part is lost, and must be sent again. */
    static final class DamagedPartException extends IOException {
        private final int partNumber;

        DamagedPartException(Piece piece, String what) {
            super("part " + piece.partNumber() + " (" + piece.file() + ") " + what);
            this.partNumber = piece.partNumber();
        }

        int partNumber() {
            return partNumber;
        }
    }

    private final Iterator<Piece> pieces;
    private Piece piece;
    private InputStream current;
    private long readOfCurrent;
    private final MessageDigest digest = ContentHash.newDigest();

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
                try {
                    current = Files.newInputStream(piece.file());
                } catch (java.nio.file.NoSuchFileException e) {
                    throw new DamagedPartException(piece, "is missing");
                }
                readOfCurrent = 0;
                digest.reset();
            }
            int n = current.read(buffer, offset, length);
            if (n == -1) {
                endPiece();
                continue;
            }
            readOfCurrent += n;
            digest.update(buffer, offset, n);
            if (readOfCurrent > piece.size()) {
                throw new DamagedPartException(piece, "holds more than the " + piece.size() + " bytes recorded for it");
            }
            return n;
        }
    }

    private void endPiece() throws IOException {
        current.close();
        current = null;
        if (readOfCurrent != piece.size()) {
            throw new DamagedPartException(piece, "holds " + readOfCurrent + " bytes, not the " + piece.size() + " recorded for it");
        }
        ContentHash read = ContentHash.of(digest);
        if (!read.equals(piece.hash())) {
            throw new DamagedPartException(piece, "has SHA-256 " + read + ", not the " + piece.hash() + " recorded for it");
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
