package dev.kelp.agent.blob.remote;

import dev.kelp.agent.blob.BlobNotFoundException;
import dev.kelp.agent.blob.chunks.BlockDedupConfig;
import dev.kelp.agent.blob.chunks.ChunkManifest;
import dev.kelp.agent.blob.chunks.ChunkReader;
import dev.kelp.agent.blob.chunks.ChunkedContent;
import dev.kelp.agent.blob.chunks.ContentDefinedChunker;
import dev.kelp.agent.blob.local.BoundedInputStream;
import dev.kelp.agent.encryption.BlobEncryption;
import dev.kelp.agent.metadata.ChunkReferences;
import dev.kelp.agent.metadata.MetadataUnavailableException;
import dev.kelp.agent.object.ContentHash;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Large blobs on SeaweedFS as content-defined chunks (docs/agent-config.md, block-level dedup):
 * each chunk at {@code chunks/<sharded hash>} ({@code .enc} and its own data key when encryption
 * is on), once per bucket, and the blob itself as a manifest at {@code blobs/<sharded hash>.chunks}
 * that lists them.
 *
 * <p>A store cuts the content first, records every chunk's use ({@link ChunkReferences#holdAll}),
 * then stores each chunk that is not there already; the manifest goes last, so a manifest never
 * names a chunk that is missing. When the metadata database cannot record a use, the blob is stored whole
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

    /** Chunk uploads in flight at once, for all the agent's writes together. */
    static final int UPLOADS = 8;
    private final ExecutorService uploads = Executors.newFixedThreadPool(UPLOADS,
        Thread.ofPlatform().name("kelp-chunk-upload-", 0).daemon().factory());
    /**
     * Chunks opened ahead of reads, for all the agent's reads together: each holds a SeaweedFS
     * connection of the client's 50 until it is read, and uploads and whole-blob reads need theirs.
     */
    static final int READ_AHEAD_SLOTS = 16;
    /** Where a read opens its next chunks while it reads this one: one request each, waiting on SeaweedFS. */
    private final ExecutorService readAheadThreads = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("kelp-chunk-read-", 0).factory());
    private final ChunkedContent.ReadAhead readAhead;

    ChunkedBlobs(SeaweedFsBlobStore store, BlobEncryption encryption, BlockDedupConfig config,
                 Supplier<Optional<ChunkReferences>> references, MeterRegistry meters) {
        this.store = store;
        this.encryption = encryption;
        this.config = config;
        this.chunker = config.chunker();
        // About 4 MiB ahead of each read: enough to hide each chunk's round trip behind the one
        // being read, at most 8 chunks.
        int depth = (int) Math.max(1, Math.min(8, (4L << 20) / config.averageChunk()));
        this.readAhead = new ChunkedContent.ReadAhead(readAheadThreads, new Semaphore(READ_AHEAD_SLOTS), depth);
        this.references = references;
        this.chunksStored = meters.counter("kelp.dedup.block.chunks", "outcome", "stored");
        this.chunksShared = meters.counter("kelp.dedup.block.chunks", "outcome", "shared");
    }

    static String manifestKey(ContentHash blob) {
        return "blobs/" + blob.shardedPath() + ".chunks";
    }

    static SeaweedFsBlobStore.StoredKeys keysOf(ContentHash chunk) {
        String at = "chunks/" + chunk.shardedPath();
        return new SeaweedFsBlobStore.StoredKeys(at, at + BlobEncryption.ENCRYPTED_SUFFIX, "chunk-keys/" + chunk.shardedPath());
    }

    /** Whether a new blob of {@code size} bytes is to be stored as chunks. */
    boolean applies(long size) {
        return config.chunks(size) && references.get().isPresent();
    }

    /**
     * Where a blob's plaintext is read from to store it as chunks: a stream from its start and,
     * when the plaintext is a file as it is (not sealed on the fallback volume), that file, whose
     * chunks can then be read and uploaded side by side.
     */
    record Plaintext(Supplier<InputStream> stream, Optional<Path> file) {
        static Plaintext of(Path file) {
            return new Plaintext(() -> SeaweedFsBlobStore.newInputStream(file), Optional.of(file));
        }
    }

    private record Cut(long offset, int length, ContentHash hash) {
    }

    /**
     * Stores the blob's plaintext ({@code size} bytes, SHA-256 {@code blob}) as chunks and a
     * manifest: cuts it, records every chunk's use, uploads the chunks SeaweedFS lacks, and only
     * then the manifest. False, with nothing visible as the blob, when the metadata database
     * cannot record the uses: the caller stores it whole.
     */
    boolean put(String bucket, ContentHash blob, long size, Plaintext plaintext) {
        List<Cut> cuts = cut(blob, plaintext, size);
        Map<ContentHash, Long> distinct = new LinkedHashMap<>();
        for (Cut c : cuts) {
            distinct.putIfAbsent(c.hash(), (long) c.length());
        }
        try {
            references.get().orElseThrow().holdAll(bucket, blob, distinct);
        } catch (MetadataUnavailableException e) {
            LOG.info("storing blob {} whole, not as chunks: {}", blob, e.getMessage());
            return false;
        }
        if (plaintext.file().isPresent()) {
            storeFromFile(bucket, plaintext.file().get(), cuts);
        } else {
            storeFromStream(bucket, blob, plaintext, cuts);
        }
        List<ChunkManifest.Entry> entries = cuts.stream().map(c -> new ChunkManifest.Entry(c.hash(), c.length())).toList();
        store.writeSmall(bucket, manifestKey(blob), blob, new ChunkManifest(blob, size, entries).encode());
        return true;
    }

    private List<Cut> cut(ContentHash blob, Plaintext plaintext, long size) {
        List<Cut> cuts = new ArrayList<>();
        long offset = 0;
        try (var reader = new ChunkReader(plaintext.stream().get(), chunker)) {
            for (ChunkReader.Chunk chunk; (chunk = reader.next()) != null; ) {
                cuts.add(new Cut(offset, chunk.length(), chunk.hash()));
                offset += chunk.length();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read blob " + blob + " to cut it into chunks", e);
        }
        if (offset != size) {
            throw new IllegalStateException("blob " + blob + " read as " + offset + " bytes, not " + size);
        }
        return cuts;
    }

    /** Each distinct chunk read from its place in the file, {@link #UPLOADS} at a time across the agent. */
    private void storeFromFile(String bucket, Path file, List<Cut> cuts) {
        Set<ContentHash> seen = new HashSet<>();
        List<Future<?>> pending = new ArrayList<>();
        for (Cut cut : cuts) {
            if (seen.add(cut.hash())) {
                pending.add(uploads.submit(() -> storeChunk(bucket, cut.hash(), cut.length(), () -> region(file, cut))));
            }
        }
        RuntimeException failed = null;
        for (Future<?> f : pending) {
            try {
                if (failed == null) {
                    f.get();
                } else {
                    f.cancel(true);
                }
            } catch (ExecutionException e) {
                failed = e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failed = new IllegalStateException("interrupted while storing chunks", e);
            }
        }
        if (failed != null) {
            throw failed;
        }
    }

    /** The chunks read again in order from a stream (the sealed fallback copy, decrypted), one at a time. */
    private void storeFromStream(String bucket, ContentHash blob, Plaintext plaintext, List<Cut> cuts) {
        Set<ContentHash> seen = new HashSet<>();
        int i = 0;
        try (var reader = new ChunkReader(plaintext.stream().get(), chunker)) {
            for (ChunkReader.Chunk chunk; (chunk = reader.next()) != null; i++) {
                if (i >= cuts.size() || !cuts.get(i).hash().equals(chunk.hash())) {
                    throw new IllegalStateException("blob " + blob + " read differently the second time, at chunk " + i);
                }
                if (seen.add(chunk.hash())) {
                    byte[] bytes = chunk.buffer();
                    int length = chunk.length();
                    storeChunk(bucket, chunk.hash(), length, () -> new ByteArrayInputStream(bytes, 0, length));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read blob " + blob + " to store its chunks", e);
        }
    }

    private static InputStream region(Path file, Cut cut) {
        try {
            FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
            channel.position(cut.offset());
            return new BoundedInputStream(Channels.newInputStream(channel), cut.length());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private void storeChunk(String bucket, ContentHash hash, int length, Supplier<InputStream> bytes) {
        if (store.hasStored(bucket, hash, keysOf(hash))) {
            chunksShared.increment();
            return;
        }
        store.uploadStored(bucket, hash, keysOf(hash), length, bytes::get);
        chunksStored.increment();
    }

    boolean hasManifest(String bucket, ContentHash blob) {
        return store.has(bucket, manifestKey(blob), blob);
    }

    /** The range of the blob's content; throws {@link BlobNotFoundException} when it has no manifest. */
    InputStream open(String bucket, ContentHash blob, long offset, long length) {
        var manifest = ChunkManifest.decode(store.readAll(bucket, manifestKey(blob), blob)
            .orElseThrow(() -> new BlobNotFoundException(bucket, blob)), blob);
        return new ChunkedContent(manifest, offset, length, (chunk, from, n) -> store.openStored(bucket, chunk, keysOf(chunk), from, n), readAhead);
    }

    /** Stops the chunk uploads of an agent that is going. */
    void close() {
        uploads.shutdownNow();
        readAheadThreads.shutdownNow();
    }

    /** Deletes the manifest, then lets go of the chunks it used (they go once nothing else uses them). */
    void delete(String bucket, ContentHash blob) {
        store.deleteKey(bucket, manifestKey(blob), blob);
        references.get().ifPresent(r -> r.release(bucket, blob));
    }

    /** Deletes the bytes of chunks unused since before {@code before}; how many went. */
    int reclaim(Instant before) {
        Optional<ChunkReferences> refs = references.get();
        if (refs.isEmpty()) {
            return 0;
        }
        int done = 0;
        for (var unused : refs.get().unusedSince(before, 500)) {
            if (refs.get().reclaim(unused, before, () -> {
                for (String key : keysOf(unused.hash()).all()) {
                    store.deleteKey(unused.bucket(), key, unused.hash());
                }
            })) {
                done++;
            }
        }
        return done;
    }
}
