package dev.kelp.agent.encryption;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/** Where a blob store keeps one encrypted blob: its stored bytes, and its key record if any. */
public interface EncryptedSource {

    /**
     * The stored bytes from {@code from}, {@code length} of them ({@code < 0}: to the end).
     * Throws {@link dev.kelp.agent.blob.BlobNotFoundException} when the blob is not here.
     */
    InputStream open(long from, long length) throws IOException;

    /** The blob's {@link KeyOverride} record, when a rotation has written one. */
    Optional<byte[]> override();
}
