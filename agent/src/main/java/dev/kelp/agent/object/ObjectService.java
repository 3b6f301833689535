package dev.kelp.agent.object;

import dev.kelp.agent.blob.BlobNotFoundException;
import dev.kelp.agent.blob.BlobStaging;
import dev.kelp.agent.blob.BlobStore;
import dev.kelp.agent.blob.BlobStoreUnavailableException;
import dev.kelp.agent.blob.StagedBlob;
import dev.kelp.agent.events.AgentEvent;
import dev.kelp.agent.events.EventSink;
import dev.kelp.agent.metadata.MetadataStore;
import dev.kelp.agent.metadata.MetadataStore.Usage;
import dev.kelp.agent.metadata.MetadataUnavailableException;
import dev.kelp.agent.mode.Mode;
import dev.kelp.agent.mode.ModeMonitor;
import dev.kelp.agent.sync.SyncQueue;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.io.InputStream;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The one data path both doors (native API, S3 endpoint) use. A write is staged to the
 * fallback volume while its SHA-256 is computed, then made durable on SeaweedFS (FULL) or
 * on the fallback volume with a sync-queue entry (otherwise), then recorded in the
 * metadata store; only then is it acknowledged.
 */
@Singleton
public class ObjectService {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ObjectService.class);

    private final StorageConfig config;
    private final BlobStaging staging;
    private final BlobStore local;
    private final Optional<BlobStore> remote;
    private final SyncQueue syncQueue;
    private final MetadataStore metadata;
    private final ObjectCache cache;
    private final EventSink events;
    private final ModeMonitor mode;
    private final Clock clock;

    public ObjectService(StorageConfig config, BlobStaging staging, @Named("local") BlobStore local,
                         @Named("remote") Optional<BlobStore> remote, SyncQueue syncQueue, MetadataStore metadata,
                         ObjectCache cache, EventSink events, ModeMonitor mode) {
        this.config = config;
        this.staging = staging;
        this.local = local;
        this.remote = remote;
        this.syncQueue = syncQueue;
        this.metadata = metadata;
        this.cache = cache;
        this.events = events;
        this.mode = mode;
        this.clock = Clock.systemUTC();
    }

    public ObjectRecord put(PutRequest request, InputStream body) {
        Optional<ObjectRecord> existing = admit(request);
        try (StagedBlob staged = stage(body)) {
            return store(request, staged, existing);
        }
    }

    /**
     * Stores a body that is already staged on the fallback volume (a completed multipart
     * upload) through the same checks and the same path as {@link #put}: dedup, quota,
     * SeaweedFS or fallback + sync queue, metadata, cache, SAVE event. The caller still owns
     * {@code staged} and closes it.
     */
    public ObjectRecord putStaged(PutRequest request, StagedBlob staged) {
        if (staged.size() > config.maxObjectSize()) {
            throw RequestRefusedException.tooLarge(staged.size(), config.maxObjectSize());
        }
        return store(request, staged, admit(request));
    }

    /**
     * Throws what {@link #put} would refuse {@code request} with before reading a byte of its
     * body (bucket, key, content type, declared size, preconditions, quota), so that a
     * multipart upload is refused at its start rather than after all its parts are sent. Best
     * effort: the object may be written by someone else in between; the store checks again.
     */
    public void checkAdmission(PutRequest request) {
        admit(request);
    }

    private Optional<ObjectRecord> admit(PutRequest request) {
        requireBucket(request.bucket());
        ObjectKeys.requireValidKey(request.key());
        if (!config.allowsContentType(request.contentType())) {
            throw RequestRefusedException.contentType(request.contentType(), config.allowedContentTypes());
        }
        if (request.declaredLength() > config.maxObjectSize()) {
            throw RequestRefusedException.tooLarge(request.declaredLength(), config.maxObjectSize());
        }
        Optional<ObjectRecord> existing = currentForWrite(request);
        checkPreconditions(request, existing);
        checkQuota(request.bucket(), Math.max(request.declaredLength(), 0), existing);
        return existing;
    }

    private ObjectRecord store(PutRequest request, StagedBlob staged, Optional<ObjectRecord> existing) {
        checkQuota(request.bucket(), staged.size(), existing);
        boolean deduplicated = knownBlob(request.bucket(), staged.hash()) && blobStored(request.bucket(), staged.hash());
        if (!deduplicated) {
            storeBytes(request.bucket(), staged);
        }
        var record = new ObjectRecord(request.bucket(), request.key(), 0, staged.hash(), staged.size(),
            request.contentType(), request.userMetadata(), clock.instant());
        var outcome = metadata.put(record);
        if (outcome.blobCreated() && deduplicated) {
            // The shared blob was reclaimed between the check and the commit: store it after all.
            storeBytes(request.bucket(), staged);
        }
        cache.invalidate(request.bucket(), request.key());
        emit(AgentEvent.Type.SAVE, record, Map.of("size", Long.toString(staged.size()), "dedup", Boolean.toString(deduplicated)));
        return outcome.stored();
    }

    public ObjectRecord head(String bucket, String key) {
        requireBucket(bucket);
        ObjectKeys.requireValidKey(key);
        return cache.record(bucket, key, () -> metadata.find(bucket, key))
            .orElseThrow(() -> new ObjectNotFoundException(bucket, key));
    }

    /** Opens {@code length} bytes of the object's content from {@code offset} ({@code length < 0}: to the end). */
    public InputStream open(ObjectRecord record, long offset, long length) {
        emit(AgentEvent.Type.LOAD, record, Map.of());
        var cached = cache.content(record, offset, length);
        if (cached.isPresent()) {
            return cached.get();
        }
        if (cache.isSmall(record)) {
            return cache.remember(record, () -> openBlob(record, 0, -1), offset, length);
        }
        return openBlob(record, offset, length);
    }

    /**
     * The whole content, past the cache and without a LOAD event: for copies the agent makes
     * itself (a backup), which must neither evict the apps' hot objects nor count as their reads.
     */
    public InputStream openForCopy(ObjectRecord record) {
        return openBlob(record, 0, -1);
    }

    private InputStream openBlob(ObjectRecord record, long offset, long length) {
        // Local first whatever the mode: a blob is on the fallback volume only until it is
        // verified on SeaweedFS, so a hit here is both the freshest and the cheapest read.
        if (local.exists(record.bucket(), record.hash())) {
            try {
                return local.open(record.bucket(), record.hash(), offset, length);
            } catch (BlobNotFoundException releasedMeanwhile) {
                // The sync drain released it after verifying it on SeaweedFS: read it there.
            }
        }
        BlobStore seaweed = remote.orElseThrow(() -> new BlobMissingException(record));
        try {
            return seaweed.open(record.bucket(), record.hash(), offset, length);
        } catch (BlobNotFoundException e) {
            throw new BlobMissingException(record);
        } catch (BlobStoreUnavailableException e) {
            throw RequestRefusedException.unavailable("object " + record.key()
                + " is stored on SeaweedFS, which cannot be reached right now: " + e.getMessage());
        }
    }

    public ObjectRecord delete(String bucket, String key) {
        requireBucket(bucket);
        ObjectKeys.requireValidKey(key);
        var removed = metadata.delete(bucket, key).orElseThrow(() -> new ObjectNotFoundException(bucket, key));
        cache.invalidate(bucket, key);
        emit(AgentEvent.Type.DELETE, removed, Map.of());
        return removed;
    }

    public List<ObjectRecord> list(String bucket, String prefix, String startAfter, int limit) {
        requireBucket(bucket);
        return metadata.list(bucket, prefix == null ? "" : prefix, startAfter, limit);
    }

    private StagedBlob stage(InputStream body) {
        try {
            return staging.stage(body, config.maxObjectSize());
        } catch (java.io.IOException clientGone) {
            // The client broke off mid-body: nothing was stored, and nobody is left to tell.
            throw new KelpException(400, "IncompleteBody", "the request body ended before it was complete: " + clientGone.getMessage());
        }
    }

    private void storeBytes(String bucket, StagedBlob staged) {
        if (mode.current().mode() == Mode.FULL && remote.isPresent()) {
            try {
                remote.get().put(bucket, staged.hash(), staged.file(), staged.size());
                return;
            } catch (BlobStoreUnavailableException e) {
                // SeaweedFS failed this write: the fallback volume takes it, nothing fails.
            }
        }
        local.put(bucket, staged.hash(), staged.file(), staged.size());
        if (remote.isPresent()) {
            syncQueue.enqueue(bucket, staged.hash(), staged.size());
        }
    }

    private void requireBucket(String bucket) {
        ObjectKeys.requireValidBucket(bucket);
        if (!config.buckets().contains(bucket)) {
            throw RequestRefusedException.unknownBucket(bucket);
        }
    }

    private static void checkPreconditions(PutRequest request, Optional<ObjectRecord> existing) {
        if ("*".equals(request.ifNoneMatch()) && existing.isPresent()) {
            throw RequestRefusedException.preconditionFailed("object " + request.key() + " already exists (If-None-Match: *)");
        }
        if (request.ifMatch() != null && !ETags.matches(request.ifMatch(), existing.map(ObjectRecord::hash))) {
            throw RequestRefusedException.preconditionFailed("object " + request.key() + " does not have ETag " + request.ifMatch());
        }
    }

    /**
     * The object a write replaces, as far as the metadata store can say. While PostgreSQL is
     * unreachable (LOCAL_ONLY) a key the local journal does not know may or may not exist: a
     * plain write goes ahead (last writer wins, as it would have), a conditional one cannot be
     * judged and is refused rather than guessed.
     */
    private Optional<ObjectRecord> currentForWrite(PutRequest request) {
        try {
            return metadata.find(request.bucket(), request.key());
        } catch (MetadataUnavailableException e) {
            if (request.ifMatch() != null || request.ifNoneMatch() != null) {
                throw RequestRefusedException.unavailable("a conditional write needs the metadata database, which cannot be reached right now:"
                    + " retry, or write without If-Match / If-None-Match");
            }
            return Optional.empty();
        }
    }

    /** Whether the bucket already holds these bytes; unknown (LOCAL_ONLY) counts as no, which only costs a second copy. */
    private boolean knownBlob(String bucket, ContentHash hash) {
        try {
            return metadata.hasLiveBlob(bucket, hash);
        } catch (MetadataUnavailableException e) {
            return false;
        }
    }

    /**
     * Dedup trusts the bytes, not only the metadata: a blob the database calls live but no store
     * holds (lost on SeaweedFS, a volume restored without it) is stored again, so that a write
     * acknowledged as deduplicated is always readable. Costs one HEAD on a dedup hit.
     */
    private boolean blobStored(String bucket, ContentHash hash) {
        if (local.exists(bucket, hash)) {
            return true;
        }
        if (remote.isEmpty()) {
            LOG.warn("blob {} of bucket {} is live in the metadata but not on the fallback volume: storing it again", hash, bucket);
            return false;
        }
        try {
            boolean stored = remote.get().exists(bucket, hash);
            if (!stored) {
                LOG.warn("blob {} of bucket {} is live in the metadata but not on SeaweedFS: storing it again", hash, bucket);
            }
            return stored;
        } catch (BlobStoreUnavailableException e) {
            // Cannot tell: store the bytes (SeaweedFS or the fallback volume), which is never wrong.
            return false;
        }
    }

    private void checkQuota(String bucket, long incomingBytes, Optional<ObjectRecord> existing) {
        if (config.quotaMaxBytes() == 0 && config.quotaMaxObjects() == 0) {
            return;
        }
        Usage usage;
        try {
            usage = metadata.usage(bucket);
        } catch (MetadataUnavailableException e) {
            // Usage lives in PostgreSQL. During its outage writes are kept rather than refused on a
            // guess; the journal replays them and usage is exact again (docs/agent-config.md).
            return;
        }
        long bytes = usage.bytes() + incomingBytes - existing.map(ObjectRecord::size).orElse(0L);
        long objects = usage.objects() + (existing.isPresent() ? 0 : 1);
        if (config.quotaMaxBytes() > 0 && bytes > config.quotaMaxBytes()) {
            throw RequestRefusedException.quota(bucket, bytes + " bytes would exceed the limit of " + config.quotaMaxBytes());
        }
        if (config.quotaMaxObjects() > 0 && objects > config.quotaMaxObjects()) {
            throw RequestRefusedException.quota(bucket, objects + " objects would exceed the limit of " + config.quotaMaxObjects());
        }
    }

    private void emit(AgentEvent.Type type, ObjectRecord record, Map<String, String> detail) {
        events.emit(new AgentEvent(UUID.randomUUID(), clock.instant(), type, record.bucket(), record.key(), detail));
    }
}
