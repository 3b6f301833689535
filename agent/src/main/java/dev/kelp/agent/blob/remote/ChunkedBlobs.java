package dev.kelp.agent.blob.remote;

import dev.kelp.agent.blob.BlobNotFoundException;
import dev.kelp.agent.blob.chunks.BlockDedupConfig;
import dev.kelp.agent.blob.chunks.ChunkManifest;
import dev.kelp.agent.blob.chunks.ChunkReader;
import dev.kelp.agent.blob.chunks.ChunkedContent;
import dev.kelp.agent.blob.chunks.ContentDefinedChunker;
import dev.kelp.agent.encryption.BlobEncryption;
import dev.kelp.agent.encryption.EncryptedSource;
import dev.kelp.agent.encryption.Sealing;
import dev.kelp.agent.metadata.ChunkReferences;
import dev.kelp.agent.metadata.MetadataUnavailableException;
import dev.kelp.agent.object.ContentHash;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * Large blobs on SeaweedFS as content-defined chunks (docs/agent-config.md, block-level dedup):
 * each chunk at {@code chunks/<sharded hash>} ({@code .enc} and its own data key when encryption
 * is on), once per bucket, and the blob itself as a manifest at {@code blobs/<sharded hash>.chunks}
 * that lists them.
 *
 * <p>A store goes chunk by chunk: record the use ({@link ChunkReferences#hold}), then store the
 * chunk unless it is there already; the manifest goes last, so a manifest never names a chunk
 * that is missing. When the metadata database cannot record a use, the blob is stored whole
 * instead (the uses already recorded go when the blob does): block dedup saves bytes, it never
 * costs a write.
 */
final class ChunkedBlobs {

    private static final Logger LOG = LoggerFactory.getLogger(ChunkedBlobs.class);

    private final SeaweedFsBlobStore store;
    private final BlobEncryption encryption;
    private final BlockDedupConfig config;
    private final ContentDefinedChunker chunker;
    private final Supplier<Optional<ChunkReferences>> references;
    private final Counter chunksStored;
    private final Counter chunksShared;

    ChunkedBlobs(SeaweedFsBlobStore store, BlobEncryption encryption, BlockDedupConfig config,
                 Supplier<Optional<ChunkReferences>> references, MeterRegistry meters) {
        this.store = store;
        this.encryption = encryption;
        this.config = config;
        this.chunker = config.chunker();
        this.references = references;
        this.chunksStored = meters.counter("kelp.dedup.block.chunks", "outcome", "stored");
        this.chunksShared = meters.counter("kelp.dedup.block.chunks", "outcome", "shared");
    }

    static String manifestKey(ContentHash blob) {
        return "blobs/" + blob.shardedPath() + ".chunks";
    }

    static String chunkKey(ContentHash chunk) {
        return "chunks/" + chunk.shardedPath();
    }

    static String encryptedChunkKey(ContentHash chunk) {
        return chunkKey(chunk) + BlobEncryption.ENCRYPTED_SUFFIX;
    }

    static String chunkOverrideKey(ContentHash chunk) {
        return "chunk-keys/" + chunk.shardedPath();
    }

    /** Whether a new blob of {@code size} bytes is to be stored as chunks. */
    boolean applies(long size) {
        return config.chunks(size) && references.get().isPresent();
    }

    /**
     * Stores {@code plaintext} ({@code size} bytes, SHA-256 {@code blob}) as chunks and a
     * manifest. False, with nothing visible as the blob, when the metadata database cannot record
     * the chunks' uses: the caller stores it whole.
     */
    boolean put(String bucket, ContentHash blob, long size, Supplier<InputStream> plaintext) {
        ChunkReferences refs = references.get().orElseThrow();
        List<ChunkManifest.Entry> entries = new ArrayList<>();
        Set<ContentHash> seen = new HashSet<>();
        long total = 0;
        try (var reader = new ChunkReader(plaintext.get(), chunker)) {
            for (ChunkReader.Chunk chunk; (chunk = reader.next()) != null; ) {
                entries.add(new ChunkManifest.Entry(chunk.hash(), chunk.length()));
                total += chunk.length();
                if (seen.add(chunk.hash())) {
                    refs.hold(bucket, blob, chunk.hash(), chunk.length());
                    storeChunk(bucket, chunk);
                }
            }
        } catch (MetadataUnavailableException e) {
            LOG.info("storing blob {} whole, not as chunks: {}", blob, e.getMessage());
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read blob " + blob + " to store it as chunks", e);
        }
        if (total != size) {
            throw new IllegalStateException("blob " + blob + " read as " + total + " bytes, not " + size);
        }
        store.writeSmall(bucket, manifestKey(blob), blob, new ChunkManifest(blob, size, entries).encode());
        return true;
    }

    private void storeChunk(String bucket, ChunkReader.Chunk chunk) {
        ContentHash hash = chunk.hash();
        if (exists(bucket, hash)) {
            chunksShared.increment();
            return;
        }
        byte[] bytes = chunk.buffer();
        int length = chunk.length();
        if (encryption.encryptsWrites()) {
            Sealing sealing = encryption.seal(bucket, hash, length);
            store.upload(bucket, encryptedChunkKey(hash), hash, sealing.storedSize(), RequestBody.fromContentProvider(
                () -> sealing.encrypt(new ByteArrayInputStream(bytes, 0, length)), sealing.storedSize(), "application/octet-stream"));
            encryption.sealed(sealing);
        } else {
            store.upload(bucket, chunkKey(hash), hash, length, RequestBody.fromContentProvider(
                () -> new ByteArrayInputStream(bytes, 0, length), length, "application/octet-stream"));
        }
        chunksStored.increment();
    }

    private boolean exists(String bucket, ContentHash chunk) {
        return (encryption.readsEncrypted() && store.has(bucket, encryptedChunkKey(chunk), chunk)) || store.has(bucket, chunkKey(chunk), chunk);
    }

    boolean hasManifest(String bucket, ContentHash blob) {
        return store.has(bucket, manifestKey(blob), blob);
    }

    /** The range of the blob's content; throws {@link BlobNotFoundException} when it has no manifest. */
    InputStream open(String bucket, ContentHash blob, long offset, long length) {
        var manifest = ChunkManifest.decode(store.readAll(bucket, manifestKey(blob), blob)
            .orElseThrow(() -> new BlobNotFoundException(bucket, blob)), blob);
        return new ChunkedContent(manifest, offset, length, (chunk, from, n) -> openChunk(bucket, chunk, from, n));
    }

    private InputStream openChunk(String bucket, ContentHash chunk, long offset, long length) {
        if (encryption.readsEncrypted()) {
            try {
                return encryption.open(bucket, chunk, new EncryptedSource() {
                    @Override
                    public InputStream open(long from, long n) {
                        return store.getRange(bucket, encryptedChunkKey(chunk), chunk, from, n);
                    }

                    @Override
                    public Optional<byte[]> override() {
                        return store.readAll(bucket, chunkOverrideKey(chunk), chunk);
                    }
                }, offset, length);
            } catch (BlobNotFoundException e) {
                // Stored before encryption was turned on: read it as it is.
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read chunk " + chunk + " from " + bucket, e);
            }
        }
        return store.getRange(bucket, chunkKey(chunk), chunk, offset, length);
    }

    /** Deletes the manifest, then lets go of the chunks it used (they go once nothing else uses them). */
    void delete(String bucket, ContentHash blob) {
        store.deleteKey(bucket, manifestKey(blob), blob);
        references.get().ifPresent(r -> r.release(bucket, blob));
    }

    /** Deletes the bytes of chunks unused since before {@code before}; how many went. */
    int reclaim(java.time.Instant before) {
        Optional<ChunkReferences> refs = references.get();
        if (refs.isEmpty()) {
            return 0;
        }
        int done = 0;
        for (var unused : refs.get().unusedSince(before, 500)) {
            if (refs.get().reclaim(unused, before, () -> {
                for (String key : List.of(chunkKey(unused.hash()), encryptedChunkKey(unused.hash()), chunkOverrideKey(unused.hash()))) {
                    store.deleteKey(unused.bucket(), key, unused.hash());
                }
            })) {
                done++;
            }
        }
        return done;
    }
}
