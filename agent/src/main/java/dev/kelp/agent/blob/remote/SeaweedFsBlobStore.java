package dev.kelp.agent.blob.remote;

import dev.kelp.agent.blob.BlobNotFoundException;
import dev.kelp.agent.blob.BlobStore;
import dev.kelp.agent.blob.BlobStoreUnavailableException;
import dev.kelp.agent.blob.StagedBlob;
import dev.kelp.agent.blob.chunks.BlockDedupConfig;
import dev.kelp.agent.blob.local.LocalBlobStore;
import dev.kelp.agent.encryption.BlobEncryption;
import dev.kelp.agent.encryption.BlobIntegrityException;
import dev.kelp.agent.encryption.CorruptSegmentException;
import dev.kelp.agent.encryption.EncryptedSource;
import dev.kelp.agent.encryption.EncryptionKeyUnavailableException;
import dev.kelp.agent.encryption.KeyRecordStore;
import dev.kelp.agent.encryption.Rewrap;
import dev.kelp.agent.encryption.Sealing;
import dev.kelp.agent.metadata.ChunkReferences;
import dev.kelp.agent.object.ContentHash;
import dev.kelp.agent.object.KelpException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micronaut.context.BeanProvider;
import io.micronaut.context.annotation.Requires;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.BucketAlreadyExistsException;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Blobs in SeaweedFS over its S3 API, at {@code blobs/<sharded hash>} in the caller's bucket.
 * Every call goes through {@link SeaweedFsGuard}: when SeaweedFS is down a call fails with
 * {@link BlobStoreUnavailableException}, within milliseconds once the breaker is open, so the
 * caller can fall back to local storage.
 *
 * <p>With encryption at rest on (docs/encryption.md) a blob is stored encrypted at
 * {@code blobs/<sharded hash>.enc}, its re-wrapped data key (after a rotation) at
 * {@code blob-keys/<sharded hash>}; blobs stored before stay plaintext under their old name.
 */
@Singleton
@Named("remote")
@Requires(property = "kelp.seaweedfs.endpoint")
public class SeaweedFsBlobStore implements BlobStore, KeyRecordStore {

    /** SigV4 refuses presigned URLs valid for longer than a week. */
    private static final Duration LONGEST_PRESIGN = Duration.ofDays(7);

    private final SeaweedFsS3 s3;
    private final SeaweedFsGuard guard;
    private final Set<String> knownBuckets = ConcurrentHashMap.newKeySet();
    private final BlobEncryption encryption;
    private final Counter resumedReads;
    private final ChunkedBlobs chunked;
    private final BlockDedupConfig blockDedup;

    /** A store that neither encrypts nor decrypts nor chunks, as before encryption existed. */
    SeaweedFsBlobStore(SeaweedFsS3 s3, SeaweedFsGuard guard) {
        this(s3, guard, BlobEncryption.disabled(), new SimpleMeterRegistry(), BlockDedupConfig.disabled(), (Supplier<Optional<ChunkReferences>>) Optional::empty);
    }

    @Inject
    SeaweedFsBlobStore(SeaweedFsS3 s3, SeaweedFsGuard guard, BlobEncryption encryption, MeterRegistry meters,
                       BlockDedupConfig blockDedup, BeanProvider<ChunkReferences> chunkReferences) {
        this(s3, guard, encryption, meters, blockDedup, () -> chunkReferences.find(null));
    }

    SeaweedFsBlobStore(SeaweedFsS3 s3, SeaweedFsGuard guard, BlobEncryption encryption, MeterRegistry meters,
                       BlockDedupConfig blockDedup, Supplier<Optional<ChunkReferences>> chunkReferences) {
        this.s3 = s3;
        this.guard = guard;
        this.encryption = encryption;
        this.resumedReads = meters.counter("kelp.seaweedfs.reads.resumed");
        this.blockDedup = blockDedup;
        this.chunked = new ChunkedBlobs(this, encryption, blockDedup, chunkReferences, meters);
    }

    static String key(ContentHash hash) {
        return "blobs/" + hash.shardedPath();
    }

    static String encryptedKey(ContentHash hash) {
        return key(hash) + BlobEncryption.ENCRYPTED_SUFFIX;
    }

    static String overrideKey(ContentHash hash) {
        return "blob-keys/" + hash.shardedPath();
    }

    /**
     * Where one piece of content is kept: as it is at {@code plain}, or sealed at {@code sealed}
     * with its key record (after a rotation) at {@code keyRecord}. Whole blobs and chunks
     * (block-level dedup) are kept alike, under different prefixes.
     */
    record StoredKeys(String plain, String sealed, String keyRecord) {
        static StoredKeys ofBlob(ContentHash hash) {
            return new StoredKeys(key(hash), encryptedKey(hash), overrideKey(hash));
        }

        List<String> all() {
            return List.of(plain, sealed, keyRecord);
        }
    }

    @Override
    public boolean exists(String bucket, ContentHash hash) {
        return hasStored(bucket, hash, StoredKeys.ofBlob(hash)) || chunked.hasManifest(bucket, hash);
    }

    /** Whether the content is at {@code at}, sealed (when this agent reads sealed content) or as it is. */
    boolean hasStored(String bucket, ContentHash hash, StoredKeys at) {
        return (encryption.readsEncrypted() && has(bucket, at.sealed(), hash)) || has(bucket, at.plain(), hash);
    }

    boolean has(String bucket, String key, ContentHash hash) {
        try {
            guard.call("check blob " + hash + " in " + bucket, () -> {
                s3.plain().head(bucket, key, s3.attemptTimeout(0));
                return null;
            });
            return true;
        } catch (NotFoundInSeaweedFs e) {
            return false;
        }
    }

    /**
     * Whether a presigned URL straight to SeaweedFS serves an object's content: not once keys
     * are configured, since the bytes there may be encrypted.
     */
    public boolean servesPlaintext() {
        return !encryption.readsEncrypted();
    }

    /**
     * Whether a blob of {@code size} bytes may be kept as chunks (block-level dedup), which a
     * presigned URL straight to SeaweedFS cannot serve.
     */
    public boolean mayBeChunked(long size) {
        return blockDedup.chunks(size);
    }

    @Override
    public void put(String bucket, ContentHash hash, Path file, long size) {
        long actual = sizeOf(file);
        if (actual != size) {
            throw new IllegalArgumentException("blob " + hash + ": " + file + " holds " + actual + " bytes, not " + size);
        }
        if (putChunked(bucket, hash, size, ChunkedBlobs.Plaintext.of(file))) {
            return;
        }
        inBucket(bucket, () -> uploadStored(bucket, hash, StoredKeys.ofBlob(hash), size, () -> newInputStream(file)));
    }

    /** A small body kept in memory is sent from there: no staging file is written or read for it. */
    @Override
    public void put(String bucket, StagedBlob staged) {
        if (!staged.inMemory() || chunked.applies(staged.size())) {
            put(bucket, staged.hash(), staged.file(), staged.size());
            return;
        }
        inBucket(bucket, () -> uploadStored(bucket, staged.hash(), StoredKeys.ofBlob(staged.hash()), staged.size(), staged::newStream));
    }

    /**
     * Uploads {@code size} bytes of content to {@code at}: sealed as it is sent when this agent
     * encrypts writes (no second copy on disk; a retried upload reads the content again and, with
     * the same sealing, sends the same bytes), else as it is.
     */
    void uploadStored(String bucket, ContentHash hash, StoredKeys at, long size, ContentStreamProvider plaintext) {
        if (encryption.encryptsWrites()) {
            Sealing sealing = encryption.seal(bucket, hash, size);
            upload(bucket, at.sealed(), hash, sealing.storedSize(), RequestBody.fromContentProvider(
                () -> sealing.encrypt(plaintext.newStream()), sealing.storedSize(), "application/octet-stream"));
            encryption.sealed(sealing);
        } else {
            uploadPlain(bucket, at.plain(), hash, size, plaintext);
        }
    }

    /**
     * Stores the blob as chunks when block-level dedup takes blobs of its size; false when it
     * does not, or when the chunks' uses cannot be recorded now: the caller stores it whole.
     * {@code plaintext} opens the blob's content from its start; {@code plaintextFile}, when the
     * content is a file as it is, lets its chunks be uploaded side by side.
     */
    public boolean putChunked(String bucket, ContentHash hash, long size, Supplier<InputStream> plaintext, Optional<Path> plaintextFile) {
        return putChunked(bucket, hash, size, new ChunkedBlobs.Plaintext(plaintext, plaintextFile));
    }

    private boolean putChunked(String bucket, ContentHash hash, long size, ChunkedBlobs.Plaintext plaintext) {
        if (!chunked.applies(size)) {
            return false;
        }
        boolean[] done = new boolean[1];
        inBucket(bucket, () -> done[0] = chunked.put(bucket, hash, size, plaintext));
        return done[0];
    }

    @PreDestroy
    void close() {
        chunked.close();
    }

    /**
     * Uploads a blob of the fallback volume as it is stored there (the sync drain), encrypted or
     * not, so that it is encrypted once and its bytes on SeaweedFS are the ones verified. A key
     * record it needs goes first: re-wrapped under the active key when it is under an older one.
     */
    public void putStored(String bucket, ContentHash hash, LocalBlobStore.Stored stored) {
        long size = sizeOf(stored.file());
        if (!stored.encrypted()) {
            inBucket(bucket, () -> uploadPlain(bucket, key(hash), hash, size, () -> newInputStream(stored.file())));
            return;
        }
        Optional<byte[]> record = stored.override();
        if (encryption.readsEncrypted()) {
            Rewrap rewrap = encryption.rewrap(bucket, hash, readHeader(stored.file()), stored.override());
            if (rewrap.state() == Rewrap.State.REWRAPPED) {
                record = rewrap.override();
            }
        }
        record.ifPresent(bytes -> inBucket(bucket, () -> writeOverride(bucket, hash, bytes)));
        inBucket(bucket, () -> upload(bucket, encryptedKey(hash), hash, size, RequestBody.fromFile(stored.file())));
    }

    /**
     * Runs a write in {@code bucket}, made first when this agent has not seen it. A write that
     * SeaweedFS still says has no bucket after it was made again (once) is unavailable, never an
     * error of the caller's: it goes to the fallback volume and its sync tries later.
     */
    private void inBucket(String bucket, Runnable call) {
        try {
            ensureBucket(bucket);
            call.run();
        } catch (NotFoundInSeaweedFs e) {
            // The bucket went away behind our back (deleted by hand), or SeaweedFS, just after
            // making it, does not know it everywhere yet: make it again, once.
            knownBuckets.remove(bucket);
            try {
                ensureBucket(bucket);
                call.run();
            } catch (NotFoundInSeaweedFs again) {
                knownBuckets.remove(bucket);
                throw new BlobStoreUnavailableException("SeaweedFS does not know bucket " + bucket + " yet, right after making it: "
                    + again.getMessage(), again);
            }
        }
    }

    void upload(String bucket, String key, ContentHash hash, long size, RequestBody body) {
        guard.call("store blob " + hash + " (" + size + " bytes) in " + bucket, () -> s3.client().putObject(b -> b
            .bucket(bucket).key(key).contentLength(size).contentType("application/octet-stream")
            .overrideConfiguration(s3.timeoutFor(size)), body));
    }

    /**
     * Uploads content stored as it is, whose bytes hash to {@code hash}: signed with that hash
     * rather than hashed again, and sent without the S3 client's pipeline ({@link PlainRequests}).
     */
    void uploadPlain(String bucket, String key, ContentHash hash, long size, ContentStreamProvider body) {
        guard.call("store blob " + hash + " (" + size + " bytes) in " + bucket, () -> {
            s3.plain().put(bucket, key, hash, size, body, s3.attemptTimeout(size));
            return null;
        });
    }

    @Override
    public InputStream open(String bucket, ContentHash hash, long offset, long length) {
        if (offset < 0) {
            throw new IllegalArgumentException("offset must not be negative: " + offset);
        }
        try {
            return openStored(bucket, hash, StoredKeys.ofBlob(hash), offset, length);
        } catch (BlobNotFoundException e) {
            try {
                return chunked.open(bucket, hash, offset, length);
            } catch (BlobNotFoundException notChunked) {
                // Neither whole nor as chunks: absent, or sealed with no key to read it.
            }
            if (!encryption.readsEncrypted() && has(bucket, encryptedKey(hash), hash)) {
                throw new EncryptionKeyUnavailableException(bucket, hash, "it is encrypted and no encryption key is configured"
                    + " (kelp.encryption.key-dir or kelp.encryption.key)");
            }
            throw e;
        }
    }

    /**
     * Opens {@code length} bytes from {@code offset} of the content at {@code at}: sealed when it is
     * stored sealed and this agent reads sealed content, else as it is (stored before encryption
     * was turned on). Throws {@link BlobNotFoundException} when it is in neither form.
     */
    InputStream openStored(String bucket, ContentHash hash, StoredKeys at, long offset, long length) {
        if (encryption.readsEncrypted()) {
            try {
                return encryption.open(bucket, hash, sealedSource(bucket, hash, at), offset, length);
            } catch (BlobNotFoundException e) {
                // Not stored sealed: read it as it is.
            } catch (IOException e) {
                // Decrypting reads the first segment now: a cut SeaweedFS could not resume is its answer (503).
                Optional<KelpException> answer = ResumingRead.answerOf(e);
                if (answer.isPresent()) {
                    throw answer.get();
                }
                throw new UncheckedIOException("cannot read " + at.sealed() + " from " + bucket, e);
            }
        }
        if (length == 0) {
            // S3 has no empty range; the answer is still "not found" when the content is absent.
            if (!has(bucket, at.plain(), hash)) {
                throw new BlobNotFoundException(bucket, hash);
            }
            return InputStream.nullInputStream();
        }
        return getRange(bucket, at.plain(), hash, offset, length);
    }

    InputStream getRange(String bucket, String key, ContentHash hash, long offset, long length) {
        String range = offset == 0 && length < 0 ? null
            : "bytes=" + offset + "-" + (length < 0 ? "" : String.valueOf(offset + length - 1));
        try {
            var first = fetch(bucket, key, hash, range, null, Math.max(length, 0));
            return new ResumingRead(new AbortOnEarlyClose(first.body()), first.eTag(),
                offset, first.contentLength() < 0 ? -1 : offset + first.contentLength(),
                "blob " + hash + " of " + bucket, (from, end, etag) -> {
                    resumedReads.increment();
                    return new AbortOnEarlyClose(fetch(bucket, key, hash, "bytes=" + from + "-" + (end < 0 ? "" : String.valueOf(end - 1)),
                        etag, end < 0 ? 0 : end - from).body());
                });
        } catch (NotFoundInSeaweedFs e) {
            throw new BlobNotFoundException(bucket, hash);
        }
    }

    /**
     * Opens a read of {@code expectedBytes} (0 when not known), without the S3 client's pipeline
     * ({@link PlainRequests}). Its attempt timeout grows with them as an upload's does: a
     * SeaweedFS busy moving other large objects may take seconds to start answering a large
     * read, which then takes longer than that to stream anyway, and under the base timeout alone
     * such reads failed and opened the breaker (docs/benchmarks.md, "2026-12-02, later").
     */
    private PlainRequests.Download fetch(String bucket, String key, ContentHash hash, String range, String ifMatch, long expectedBytes) {
        return guard.call("read blob " + hash + " from " + bucket,
            () -> s3.plain().get(bucket, key, range, ifMatch, s3.attemptTimeout(expectedBytes)));
    }

    private EncryptedSource sealedSource(String bucket, ContentHash hash, StoredKeys at) {
        return new EncryptedSource() {
            @Override
            public InputStream open(long from, long length) {
                return getRange(bucket, at.sealed(), hash, from, length);
            }

            @Override
            public Optional<byte[]> override() {
                return readAll(bucket, at.keyRecord(), hash);
            }
        };
    }

    @Override
    public void delete(String bucket, ContentHash hash) {
        for (String key : StoredKeys.ofBlob(hash).all()) {
            deleteKey(bucket, key, hash);
        }
        chunked.delete(bucket, hash);
    }

    void deleteKey(String bucket, String key, ContentHash hash) {
        try {
            guard.call("delete " + key + " of " + hash + " from " + bucket, () -> s3.client().deleteObject(b -> b
                .bucket(bucket).key(key).overrideConfiguration(s3.timeoutFor(0))));
        } catch (NotFoundInSeaweedFs e) {
            // No bucket, so no blob: deleting what is absent is a no-op.
        }
    }

    /**
     * Deletes the chunks (block-level dedup) that no blob has used since before {@code before};
     * how many went. Needs the metadata database: it says which chunks are unused.
     */
    public int reclaimChunks(java.time.Instant before) {
        return chunked.reclaim(before);
    }

    @Override
    public String describe() {
        return "SeaweedFS";
    }

    @Override
    public List<ContentHash> encryptedBlobs(String bucket) {
        return encryptedUnder(bucket, "blobs/");
    }

    /** The hashes of the encrypted objects ({@code <sharded hash>.enc}) under {@code prefix}. */
    List<ContentHash> encryptedUnder(String bucket, String prefix) {
        List<ContentHash> found = new ArrayList<>();
        try {
            guard.call("list encrypted " + prefix + " in " + bucket, () -> {
                s3.client().listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix).overrideConfiguration(s3.timeoutFor(0)))
                    .contents().forEach(o -> {
                        String name = o.key().substring(o.key().lastIndexOf('/') + 1);
                        if (name.length() == 64 + BlobEncryption.ENCRYPTED_SUFFIX.length() && name.endsWith(BlobEncryption.ENCRYPTED_SUFFIX)) {
                            found.add(new ContentHash(name.substring(0, 64)));
                        }
                    });
                return null;
            });
        } catch (NotFoundInSeaweedFs e) {
            // No bucket yet: no blobs.
        }
        return found;
    }

    @Override
    public Optional<byte[]> header(String bucket, ContentHash hash) {
        return readFirst(bucket, encryptedKey(hash), hash, BlobEncryption.HEADER_BYTES);
    }

    @Override
    public Optional<byte[]> override(String bucket, ContentHash hash) {
        return readAll(bucket, overrideKey(hash), hash);
    }

    @Override
    public void writeOverride(String bucket, ContentHash hash, byte[] record) {
        writeSmall(bucket, overrideKey(hash), hash, record);
    }

    /** The whole of a small object (a key record, a manifest); empty when it is absent. */
    Optional<byte[]> readAll(String bucket, String key, ContentHash hash) {
        return readFirst(bucket, key, hash, -1);
    }

    Optional<byte[]> readFirst(String bucket, String key, ContentHash hash, int bytes) {
        try (InputStream in = getRange(bucket, key, hash, 0, bytes)) {
            return Optional.of(in.readAllBytes());
        } catch (BlobNotFoundException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + key + " in " + bucket, e);
        }
    }

    void writeSmall(String bucket, String key, ContentHash hash, byte[] bytes) {
        guard.call("store " + key + " of " + hash + " in " + bucket, () -> s3.client().putObject(b -> b
            .bucket(bucket).key(key).contentLength((long) bytes.length).contentType("application/octet-stream")
            .overrideConfiguration(s3.timeoutFor(bytes.length)), RequestBody.fromBytes(bytes)));
    }

    private static byte[] readHeader(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(BlobEncryption.HEADER_BYTES);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    static InputStream newInputStream(Path file) {
        try {
            return Files.newInputStream(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /**
     * Reads the stored blob back and checks its SHA-256, so a local copy is released only once
     * SeaweedFS provably holds the same bytes. False when the blob is absent or differs.
     */
    public boolean verify(String bucket, ContentHash hash) {
        // Read back through the same path a GET takes: for an encrypted blob that proves its
        // header, key record and every segment decrypt to exactly the content that was hashed.
        try (InputStream in = open(bucket, hash, 0, -1)) {
            return hash.isHashOf(in);
        } catch (BlobNotFoundException | BlobIntegrityException | CorruptSegmentException e) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot verify blob " + hash + " in " + bucket, e);
        }
    }

    /** A URL anyone can GET the blob from until {@code ttl} has passed, signed with our key. */
    public URL presignGet(String bucket, ContentHash hash, Duration ttl) {
        if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(LONGEST_PRESIGN) > 0) {
            throw new IllegalArgumentException("a presigned URL lives between 1 s and 7 days, not " + ttl);
        }
        return s3.presigner().presignGetObject(p -> p.signatureDuration(ttl)
            .getObjectRequest(g -> g.bucket(bucket).key(key(hash)))).url();
    }

    private void ensureBucket(String bucket) {
        if (knownBuckets.contains(bucket)) {
            return;
        }
        guard.call("create bucket " + bucket, () -> {
            try {
                s3.client().headBucket(b -> b.bucket(bucket).overrideConfiguration(s3.timeoutFor(0)));
            } catch (S3Exception e) {
                if (e.statusCode() != 404) {
                    throw e;
                }
                createBucket(bucket);
            }
            return null;
        });
        knownBuckets.add(bucket);
    }

    private void createBucket(String bucket) {
        try {
            s3.client().createBucket(b -> b.bucket(bucket).overrideConfiguration(s3.timeoutFor(0)));
        } catch (BucketAlreadyOwnedByYouException | BucketAlreadyExistsException e) {
            // Another agent (or thread) made it first: what we wanted.
        }
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the size of " + file, e);
        }
    }
}
