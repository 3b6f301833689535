package dev.kelp.agent.blob.cache;

import dev.kelp.agent.fallback.DurableFiles;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * A read of a blob's whole content that writes what it reads to a file beside, and hands the
 * file on ({@code complete}) only when the read ends with exactly the blob's size. Anything
 * else (the reader stopping early, skipping, a read failing, the disk refusing a write) drops
 * the file and goes on as a plain read. The SHA-256 is checked after, off the reader's thread:
 * hashing as it read made the reader wait for it (measured: a 64 MiB miss took 196 ms that way,
 * 155 ms with the check moved off; docs/benchmarks.md).
 */
final class CacheFill extends FilterInputStream {

    private final FileChannel out;
    private final Path file;
    private final long size;
    private final Consumer<Path> complete;
    private final BooleanSupplier cancelled;
    private final Runnable dropped;
    private long copied;
    private boolean copying = true;

    /**
     * @param complete  takes the whole copy
     * @param cancelled true once the copy's room was taken back (a write needed it): stop copying
     * @param dropped   told when the copy is given up, whatever the reason
     */
    CacheFill(InputStream source, FileChannel out, Path file, long size, Consumer<Path> complete, BooleanSupplier cancelled,
              Runnable dropped) {
        super(source);
        this.out = out;
        this.file = file;
        this.size = size;
        this.complete = complete;
        this.cancelled = cancelled;
        this.dropped = dropped;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n == -1 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n;
        try {
            n = super.read(buffer, offset, length);
        } catch (IOException | RuntimeException e) {
            abandon();
            throw e;
        }
        if (copying) {
            if (n == -1) {
                finish();
            } else if (n > 0) {
                copy(buffer, offset, n);
                if (copying && copied == size) {
                    // Readers that know the length stop here without asking for the end.
                    finish();
                }
            }
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        abandon();
        return super.skip(n);
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    @Override
    public void close() throws IOException {
        try {
            abandon();
        } finally {
            super.close();
        }
    }

    private void copy(byte[] buffer, int offset, int n) {
        if (cancelled.getAsBoolean() || copied + n > size) {
            // Given way to a write, or longer than the metadata says (not the blob, so not a copy of it).
            abandon();
            return;
        }
        try {
            var chunk = ByteBuffer.wrap(buffer, offset, n);
            while (chunk.hasRemaining()) {
                out.write(chunk);
            }
        } catch (IOException e) {
            abandon();
            return;
        }
        copied += n;
    }

    private void finish() {
        copying = false;
        boolean whole = copied == size;
        try {
            out.close();
        } catch (IOException e) {
            whole = false;
        }
        if (whole) {
            complete.accept(file);
        } else {
            DurableFiles.deleteQuietly(file);
            dropped.run();
        }
    }

    private void abandon() {
        if (copying) {
            copying = false;
            try {
                out.close();
            } catch (IOException ignored) {
                // dropped either way
            }
            DurableFiles.deleteQuietly(file);
            dropped.run();
        }
    }
}
