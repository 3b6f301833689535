package dev.kelp.agent.blob;

import dev.kelp.agent.object.ContentHash;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * Content-addressed bytes: a blob is named by the SHA-256 of its content, within a bucket.
 * Two implementations: the fallback volume on local disk, and SeaweedFS over S3.
 */
public interface BlobStore {

    /** True when the blob is stored here in full. */
    boolean exists(String bucket, ContentHash hash);

    /**
     * Stores the bytes of {@code file} (whose SHA-256 is {@code hash}) under that hash. When
     * this returns the blob is durable: fsync'd on disk, or acknowledged by SeaweedFS. The
     * file itself is left in place; callers own it. Storing a blob that exists is a no-op.
     */
    void put(String bucket, ContentHash hash, Path file, long size);

    /**
     * As {@link #put(String, ContentHash, Path, long)}, for a staged body, which may be in memory:
     * a store that can take the bytes as they are overrides this; the others store its file.
     */
    default void put(String bucket, StagedBlob staged) {
        put(bucket, staged.hash(), staged.file(), staged.size());
    }

    /**
     * Opens {@code length} bytes from {@code offset} ({@code length < 0}: to the end).
     * Throws {@link BlobNotFoundException} when the blob is not here.
     */
    InputStream open(String bucket, ContentHash hash, long offset, long length);

    /** Removes the blob; removing one that is absent is a no-op. */
    void delete(String bucket, ContentHash hash);
}
