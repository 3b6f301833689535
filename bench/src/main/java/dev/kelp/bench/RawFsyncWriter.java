package dev.kelp.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The floor for a fallback write: the same bytes to a temp file on the same disk, fsync'd,
 * renamed into place and the directory fsync'd, which is what the agent's durability needs
 * at the least (it also hashes, keeps a queue entry and records metadata).
 */
final class RawFsyncWriter {

    private final Path dir;

    RawFsyncWriter(Path dir) throws IOException {
        this.dir = Files.createDirectories(dir);
    }

    void write(String name, long size, long seed) throws IOException {
        Path temp = dir.resolve(name + ".tmp");
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = new UniqueBody(size, seed).newStream();
             FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(ByteBuffer.wrap(buffer, 0, n));
            }
            out.force(true);
        }
        Files.move(temp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }
}
