package dev.kelp.agent.blob.remote;

import dev.kelp.agent.encryption.BlobEncryption;
import dev.kelp.agent.encryption.KeyRecordStore;
import dev.kelp.agent.object.ContentHash;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Optional;

/**
 * The re-wrapper's view of the encrypted chunks on SeaweedFS (block-level dedup): each chunk
 * has a data key of its own, so a key rotation re-wraps chunks as it re-wraps whole blobs, and
 * the old key can go once both are done. Key records at {@code chunk-keys/<sharded hash>}.
 */
@Singleton
@Requires(property = "kelp.seaweedfs.endpoint")
final class ChunkKeyRecords implements KeyRecordStore {

    private final SeaweedFsBlobStore store;

    ChunkKeyRecords(SeaweedFsBlobStore store) {
        this.store = store;
    }

    @Override
    public String describe() {
        return "SeaweedFS chunks";
    }

    @Override
    public List<ContentHash> encryptedBlobs(String bucket) {
        return store.encryptedUnder(bucket, "chunks/");
    }

    @Override
    public Optional<byte[]> header(String bucket, ContentHash hash) {
        return store.readFirst(bucket, ChunkedBlobs.keysOf(hash).sealed(), hash, BlobEncryption.HEADER_BYTES);
    }

    @Override
    public Optional<byte[]> override(String bucket, ContentHash hash) {
        return store.readAll(bucket, ChunkedBlobs.keysOf(hash).keyRecord(), hash);
    }

    @Override
    public void writeOverride(String bucket, ContentHash hash, byte[] record) {
        store.writeSmall(bucket, ChunkedBlobs.keysOf(hash).keyRecord(), hash, record);
    }
}
