package dev.kelp.agent.object;

import dev.kelp.agent.access.AccessControl;
import dev.kelp.agent.access.Caller;
import dev.kelp.agent.access.CallerContext;
import dev.kelp.agent.access.OwnerQuota;
import dev.kelp.agent.access.Sharing;
import dev.kelp.agent.blob.BlobNotFoundException;
import dev.kelp.agent.blob.BlobStaging;
import dev.kelp.agent.blob.BlobStore;
import dev.kelp.agent.blob.BlobStoreUnavailableException;
import dev.kelp.agent.blob.StagedBlob;
import dev.kelp.agent.blob.cache.BlobDiskCache;
import dev.kelp.agent.events.AgentEvent;
import dev.kelp.agent.events.EventSink;
import dev.kelp.agent.metadata.MetadataStore;
import dev.kelp.agent.metadata.MetadataStore.PutOutcome;
import dev.kelp.agent.metadata.MetadataStore.Usage;
import dev.kelp.agent.metadata.MetadataStore.VersionCursor;
import dev.kelp.agent.metadata.MetadataUnavailableException;
import dev.kelp.agent.metadata.WriteLimits;
import dev.kelp.agent.mode.ModeMonitor;
import dev.kelp.agent.sync.SyncQueue;
import dev.kelp.agent.tiering.TierReads;
import dev.kelp.agent.versions.TextDiff;
import dev.kelp.agent.versions.VersionIds;
import dev.kelp.agent.versions.VersioningConfig;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.io.InputStream;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
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
    private final HotStorage hot;
    private final MetadataStore metadata;
    private final ObjectCache cache;
    private final EventSink events;
    private final Clock clock;
    private final VersioningConfig versioning;
    private final AccessControl access;
    private final Optional<TierReads> tiers;
    private final BlobDiskCache diskCache;
    private final WriteSteps steps;

    /** Without versioning: an overwrite or delete replaces the object for good. */
    public ObjectService(StorageConfig config, BlobStaging staging, @Named("local") BlobStore local,
                         @Named("remote") Optional<BlobStore> remote, SyncQueue syncQueue, MetadataStore metadata,
                         ObjectCache cache, EventSink events, ModeMonitor mode) {
        this(config, staging, local, remote, syncQueue, metadata, cache, events, mode, VersioningConfig.disabled(), AccessControl.open(),
            Optional.empty(), BlobDiskCache.off(), WriteSteps.unobserved());
    }

    /**
     * @param tiers tiering's side of reads (docs/tiering.md): reads are noted for the access
     *              tracker, and a blob whose hot copy has moved cold is read from there
     * @param diskCache copies of blobs on SeaweedFS kept on the fallback volume, for reads
     * @param steps the time each step of a write takes
     */
    @Inject
    public ObjectService(StorageConfig config, BlobStaging staging, @Named("local") BlobStore local,
                         @Named("remote") Optional<BlobStore> remote, SyncQueue syncQueue, MetadataStore metadata,
                         ObjectCache cache, EventSink events, ModeMonitor mode, VersioningConfig versioning, AccessControl access,
                         Optional<TierReads> tiers, BlobDiskCache diskCache, WriteSteps steps) {
        this.diskCache = diskCache;
        this.steps = steps;
        this.versioning = versioning;
        this.access = access;
        this.tiers = tiers;
        this.config = config;
        this.staging = staging;
        this.local = local;
        this.remote = remote;
        this.hot = new HotStorage(local, remote, syncQueue, mode);
        this.metadata = metadata;
        this.cache = cache;
        this.events = events;
        this.clock = Clock.systemUTC();
    }

    public ObjectRecord put(PutRequest request, InputStream body) {
        Optional<ObjectRecord> existing = admit(request);
        try (StagedBlob staged = steps.receive(() -> stage(body, request.declaredLength()))) {
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
        Caller caller = CallerContext.current();
        Optional<ObjectRecord> existing = judgesCurrent(request, caller) ? currentForWrite(request) : Optional.empty();
        checkMayReplace(caller, request.bucket(), request.key(), existing);
        checkPreconditions(request, existing);
        checkQuota(request.bucket(), Math.max(request.declaredLength(), 0), existing);
        checkOwnerQuota(caller, request.bucket(), Math.max(request.declaredLength(), 0), existing);
        return existing;
    }

    private ObjectRecord store(PutRequest request, StagedBlob staged, Optional<ObjectRecord> existing) {
        Caller caller = CallerContext.current();
        checkQuota(request.bucket(), staged.size(), existing);
        checkOwnerQuota(caller, request.bucket(), staged.size(), existing);
        var reuse = steps.dedupLookup(() -> {
            OptionalLong references = blobReferences(request.bucket(), staged.hash());
            return new BlobReuse(references, references.orElse(0) > 0 && blobStored(request.bucket(), staged.hash()));
        });
        boolean deduplicated = reuse.skipsStoring();
        if (!deduplicated) {
            steps.store(() -> storeHot(request.bucket(), staged));
        }
        // The version id is the agent's, given now, so it is the same whether the database or the
        // local journal (LOCAL_ONLY) takes the write.
        var record = new ObjectRecord(request.bucket(), request.key(), 0, staged.hash(), staged.size(),
            request.contentType(), request.userMetadata(), clock.instant(), VersionIds.next(), request.tags(), caller.owner());
        PutOutcome outcome;
        try {
            outcome = steps.metadata(() -> metadata.put(record, limitsOf(caller, request.bucket())));
        } catch (RequestRefusedException overQuota) {
            // A concurrent write took the room between our check and our commit: nothing changed,
            // but bytes this write stored must not stay behind with nothing to reclaim them.
            refusedInTransaction(caller, request.bucket(), staged.hash(), staged.size(), !deduplicated);
            throw overQuota;
        }
        if (reuse.storesAgain(outcome.blobCreated())) {
            // The blob was reclaimed between the check and the commit: store it (again) after all.
            storeHot(request.bucket(), staged);
        }
        cache.invalidate(request.bucket(), request.key());
        emit(AgentEvent.Type.SAVE, record, Map.of("size", Long.toString(staged.size()), "dedup", Boolean.toString(deduplicated)));
        return outcome.stored();
    }

    private void storeHot(String bucket, StagedBlob staged) {
        // On SeaweedFS now: a staged file, about to be deleted, stays on as the read copy. A small
        // body kept in memory is not written to disk for that (sparing the write a file it had
        // no need of); its first read from SeaweedFS makes the copy.
        if (hot.store(bucket, staged) && !staged.inMemory()) {
            diskCache.keep(bucket, staged.hash(), staged.file(), staged.size());
        }
    }

    /**
     * The object's current version. Throws {@link ObjectNotFoundException}, or its subclass
     * {@link DeletedObjectException} when the latest version is a delete marker.
     */
    public ObjectRecord head(String bucket, String key) {
        requireBucket(bucket);
        ObjectKeys.requireValidKey(key);
        ObjectRecord record = cache.record(bucket, key, () -> metadata.find(bucket, key))
            .orElseThrow(() -> notFound(bucket, key));
        Caller caller = CallerContext.current();
        if (!mayRead(caller, record.owner())) {
            // As if absent: another owner's key names are not the caller's to learn (docs/access-control.md).
            denied(caller, "read", bucket, key);
            throw new ObjectNotFoundException(bucket, key);
        }
        return record;
    }

    private ObjectNotFoundException notFound(String bucket, String key) {
        if (!versioning.enabled()) {
            return new ObjectNotFoundException(bucket, key);
        }
        try {
            return metadata.findLatest(bucket, key).filter(ObjectVersion::deleteMarker)
                .<ObjectNotFoundException>map(m -> new DeletedObjectException(bucket, key, m.version()))
                .orElseGet(() -> new ObjectNotFoundException(bucket, key));
        } catch (MetadataUnavailableException e) {
            return new ObjectNotFoundException(bucket, key);
        }
    }

    /** Opens {@code length} bytes of the object's content from {@code offset} ({@code length < 0}: to the end). */
    public InputStream open(ObjectRecord record, long offset, long length) {
        emit(AgentEvent.Type.LOAD, record, Map.of());
        tiers.ifPresent(t -> t.read(record));
        var cached = cache.content(record, offset, length);
        if (cached.isPresent()) {
            return cached.get();
        }
        if (cache.isSmall(record)) {
            return cache.remember(record, () -> openBlob(record, 0, -1, true), offset, length);
        }
        return openBlob(record, offset, length, true);
    }

    /**
     * The whole content, past the cache and without a LOAD event: for copies the agent makes
     * itself (a backup), which must neither evict the apps' hot objects nor count as their reads.
     */
    public InputStream openForCopy(ObjectRecord record) {
        return openBlob(record, 0, -1, false);
    }

    /** @param appRead an app's read, which may promote a cold blob back to hot; not the agent's own copies */
    private InputStream openBlob(ObjectRecord record, long offset, long length, boolean appRead) {
        // Local first whatever the mode: a blob is on the fallback volume only until it is
        // verified on SeaweedFS, so a hit here is both the freshest and the cheapest read.
        if (local.exists(record.bucket(), record.hash())) {
            try {
                InputStream content = local.open(record.bucket(), record.hash(), offset, length);
                // The local disk keeps no checksum of its own: a whole read is checked against
                // the blob's name, so a copy damaged on the volume is never served as the object.
                boolean whole = offset == 0 && (length < 0 || length >= record.size());
                return whole ? new HashCheckedStream(content, record.hash(), record.size(), why -> damagedLocalCopy(record, why)) : content;
            } catch (BlobNotFoundException releasedMeanwhile) {
                // The sync drain released it after verifying it on SeaweedFS: read it there.
            }
        }
        var copy = diskCache.open(record.bucket(), record.hash(), record.size(), offset, length);
        if (copy.isPresent()) {
            return copy.get();
        }
        BlobStore seaweed = remote.orElseThrow(() -> new BlobMissingException(record));
        try {
            // Spelled out to the end of the object so the read's time limit can grow with its size.
            long remoteLength = length < 0 && record.size() > offset ? record.size() - offset : length;
            InputStream content = seaweed.open(record.bucket(), record.hash(), offset, remoteLength);
            boolean whole = offset == 0 && (length < 0 || length >= record.size());
            return whole && appRead ? diskCache.filling(record.bucket(), record.hash(), record.size(), content) : content;
        } catch (BlobNotFoundException e) {
            // Not hot: moved to a tier rule's cold target, or lost.
            return tiers.flatMap(t -> t.openCold(record, offset, length, appRead)).orElseThrow(() -> new BlobMissingException(record));
        } catch (BlobStoreUnavailableException e) {
            throw RequestRefusedException.unavailable("object " + record.key()
                + " is stored on SeaweedFS, which cannot be reached right now: " + e.getMessage());
        }
    }

    private void damagedLocalCopy(ObjectRecord record, String why) {
        // Only a copy waiting to sync meets the drain; without SeaweedFS it is the only copy.
        String error = "the copy of blob " + record.hash() + " on the fallback volume " + why + ": damaged; the read was cut short"
            + (remote.isPresent() ? ", and the sync drain will release or quarantine it" : "; restore the object from a backup");
        LOG.error("reading {}/{}: {}", record.bucket(), record.key(), error);
        emit(AgentEvent.Type.ERROR, record, Map.of("error", error));
    }

    public ObjectRecord delete(String bucket, String key) {
        return deleteObject(bucket, key).removed();
    }

    /**
     * Deletes the object: with versioning on, a delete marker becomes its latest version and the
     * version it had is kept (subject to retention); without, it is gone for good.
     */
    public ObjectDeletion deleteObject(String bucket, String key) {
        requireBucket(bucket);
        ObjectKeys.requireValidKey(key);
        checkMayDelete(CallerContext.current(), bucket, key);
        var outcome = metadata.delete(bucket, key, VersionIds.next());
        var removed = outcome.removed().orElseThrow(() -> notFound(bucket, key));
        cache.invalidate(bucket, key);
        emit(AgentEvent.Type.DELETE, removed, outcome.marker().map(m -> Map.of("deleteMarker", m)).orElse(Map.of()));
        return new ObjectDeletion(removed, outcome.marker().orElse(null));
    }

    // --- tags (S3's object tagging, docs/s3.md)

    /**
     * Replaces the tag set of the object's current version ({@code versionId} null) or of one
     * version; an empty set removes its tags. The version stays what it was otherwise: no new
     * version, no byte read or written. 404 for a missing key or version, 405 for a delete marker.
     * While PostgreSQL is down the set is journaled (for a version this agent knows) and
     * replayed once; otherwise 503.
     */
    public ObjectRecord putTags(String bucket, String key, String versionId, Map<String, String> tags) {
        ObjectRecord target = versionId == null ? head(bucket, key) : headVersion(bucket, key, versionId);
        ObjectRecord tagged = metadata.putTags(bucket, key, target.version(), ObjectTags.copyOf(tags))
            .orElseThrow(() -> versionId == null ? notFound(bucket, key) : VersionRefusedException.noSuchVersion(bucket, key, versionId));
        cache.invalidate(bucket, key);
        return tagged;
    }

    /**
     * Deletes the object as {@link #deleteObject} does, only while {@code version} is still its
     * current version (tiering's expiry judged that one); empty when it is not, or is gone.
     */
    public Optional<ObjectDeletion> deleteObjectIfCurrent(String bucket, String key, String version) {
        requireBucket(bucket);
        ObjectKeys.requireValidKey(key);
        var outcome = metadata.deleteIfCurrent(bucket, key, version, VersionIds.next());
        if (outcome.removed().isEmpty()) {
            return Optional.empty();
        }
        var removed = outcome.removed().get();
        cache.invalidate(bucket, key);
        emit(AgentEvent.Type.DELETE, removed, outcome.marker().map(m -> Map.of("deleteMarker", m)).orElse(Map.of()));
        return Optional.of(new ObjectDeletion(removed, outcome.marker().orElse(null)));
    }

    // --- versions (docs/versions.md)

    /** One version of the key, content or delete marker; 404 when the key has no such version. */
    public ObjectVersion version(String bucket, String key, String versionId) {
        requireBucket(bucket);
        ObjectKeys.requireValidKey(key);
        VersionIds.require(versionId);
        ObjectVersion found = metadata.findVersion(bucket, key, versionId)
            .orElseThrow(() -> VersionRefusedException.noSuchVersion(bucket, key, versionId));
        Caller caller = CallerContext.current();
        if (!mayRead(caller, found.owner())) {
            denied(caller, "read version", bucket, key);
            throw VersionRefusedException.noSuchVersion(bucket, key, versionId);
        }
        return found;
    }

    /** The content of one version, to {@link #open}; 405 for a delete marker. */
    public ObjectRecord headVersion(String bucket, String key, String versionId) {
        ObjectVersion v = version(bucket, key, versionId);
        if (v.deleteMarker()) {
            throw VersionRefusedException.readOfDeleteMarker(key, versionId);
        }
        return v.object();
    }

    /** Versions of the keys starting with {@code prefix}: key order, newest first within a key. */
    public VersionPage listVersions(String bucket, String prefix, VersionCursor after, int limit) {
        requireBucket(bucket);
        return visible(page(metadata.listVersions(bucket, prefix == null ? "" : prefix, after, limit + 1), limit));
    }

    /** Versions of exactly one key, newest first. */
    public VersionPage listVersionsOfKey(String bucket, String key, VersionCursor after, int limit) {
        requireBucket(bucket);
        ObjectKeys.requireValidKey(key);
        return visible(page(metadata.listVersionsOfKey(bucket, key, after, limit + 1), limit));
    }

    /**
     * The versions of a page the caller may see. The cursor stays where the unfiltered page ended,
     * so a page may hold fewer versions than asked for and still go on.
     */
    private VersionPage visible(VersionPage page) {
        Caller caller = CallerContext.current();
        if (!access.enforced() || caller.seesAll() || access.sharing() != Sharing.PRIVATE) {
            return page;
        }
        return new VersionPage(page.versions().stream().filter(v -> mayRead(caller, v.owner())).toList(), page.next());
    }

    private static VersionPage page(List<ObjectVersion> found, int limit) {
        if (found.size() <= limit) {
            return new VersionPage(found, null);
        }
        List<ObjectVersion> shown = found.subList(0, limit);
        ObjectVersion last = shown.getLast();
        return new VersionPage(List.copyOf(shown), new VersionCursor(last.key(), last.sequence()));
    }

    /**
     * Removes one version for good (S3's DELETE with a versionId). When it was the latest, the
     * newest earlier version becomes current again, so deleting a delete marker undoes a delete.
     */
    public ObjectVersion deleteVersion(String bucket, String key, String versionId) {
        requireBucket(bucket);
        ObjectKeys.requireValidKey(key);
        VersionIds.require(versionId);
        ObjectVersion target = version(bucket, key, versionId);
        Caller caller = CallerContext.current();
        if (!mayChange(caller, target.owner())) {
            throw accessDenied(caller, "delete a version of", bucket, key);
        }
        ObjectVersion removed = metadata.deleteVersion(bucket, key, versionId)
            .orElseThrow(() -> VersionRefusedException.noSuchVersion(bucket, key, versionId));
        cache.invalidate(bucket, key);
        if (removed.object() != null) {
            emit(AgentEvent.Type.DELETE, removed.object(), Map.of("version", versionId));
        }
        return removed;
    }

    /**
     * Makes a new current version equal to an earlier one: same content (by hash: no byte is
     * copied), content type and user metadata, with a version id of its own. Goes through the
     * quota like any write.
     */
    public ObjectRecord rollback(String bucket, String key, String versionId) {
        ObjectVersion target = version(bucket, key, versionId);
        if (target.deleteMarker()) {
            throw VersionRefusedException.needsContent("roll back to", key, versionId);
        }
        ObjectRecord old = target.object();
        Caller caller = CallerContext.current();
        Optional<ObjectRecord> existing = currentForWrite(new PutRequest(bucket, key, old.contentType(), old.size(),
            old.userMetadata(), null, null));
        checkMayReplace(caller, bucket, key, existing);
        checkQuota(bucket, old.size(), existing);
        checkOwnerQuota(caller, bucket, old.size(), existing);
        if (!blobStored(bucket, old.hash())) {
            throw new KelpException(409, "ContentMissing", "the content of version " + versionId + " of " + key
                + " cannot be found in any store; nothing was changed");
        }
        var record = new ObjectRecord(bucket, key, 0, old.hash(), old.size(), old.contentType(), old.userMetadata(),
            clock.instant(), VersionIds.next(), old.tags(), caller.owner());
        PutOutcome outcome;
        try {
            outcome = metadata.put(record, limitsOf(caller, bucket));
        } catch (RequestRefusedException overQuota) {
            refusedInTransaction(caller, bucket, old.hash(), old.size(), false);
            throw overQuota;
        }
        if (outcome.blobCreated() && !blobStored(bucket, old.hash())) {
            // The old version was removed (and its blob reclaimed) between our check and our write.
            metadata.deleteVersion(bucket, key, record.version());
            throw new KelpException(409, "ContentMissing", "version " + versionId + " of " + key
                + " was removed while rolling back to it; nothing was changed");
        }
        cache.invalidate(bucket, key);
        emit(AgentEvent.Type.SAVE, record, Map.of("size", Long.toString(old.size()), "rollbackOf", versionId));
        return outcome.stored();
    }

    /**
     * A unified diff between two versions of a text object ({@code toVersion} null: the current
     * one). 409 for a delete marker, 413 when a side is larger than kelp.versioning.diff-max-bytes,
     * 415 when a side is not text.
     */
    public String diff(String bucket, String key, String fromVersion, String toVersion) {
        ObjectRecord from = contentFor("diff", bucket, key, fromVersion);
        ObjectRecord to = toVersion == null ? head(bucket, key) : contentFor("diff", bucket, key, toVersion);
        return TextDiff.unified(key + "@" + from.version(), read(from), key + "@" + to.version(), read(to));
    }

    private ObjectRecord contentFor(String what, String bucket, String key, String versionId) {
        ObjectVersion v = version(bucket, key, versionId);
        if (v.deleteMarker()) {
            throw VersionRefusedException.needsContent(what, key, versionId);
        }
        return v.object();
    }

    private byte[] read(ObjectRecord record) {
        if (record.size() > versioning.diffMaxBytes()) {
            throw new KelpException(413, "DiffTooLarge", "version " + record.version() + " of " + record.key() + " has " + record.size()
                + " bytes; diffs read at most " + versioning.diffMaxBytes() + " (kelp.versioning.diff-max-bytes)");
        }
        try (InputStream in = openBlob(record, 0, -1, false)) {
            return in.readAllBytes();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read version " + record.version() + " of " + record.key(), e);
        }
    }

    /** Current objects the caller may see: in a private bucket, only its own. */
    public List<ObjectRecord> list(String bucket, String prefix, String startAfter, int limit) {
        requireBucket(bucket);
        Caller caller = CallerContext.current();
        String owner = access.enforced() ? access.sharing().listFilter(caller) : null;
        List<ObjectRecord> found = metadata.list(bucket, prefix == null ? "" : prefix, startAfter, limit, owner);
        emitAccess(caller, "list", bucket, prefix);
        return found;
    }

    /**
     * Refuses, before a byte is read, what a write of {@code key} by the caller could not do:
     * replace another owner's object where the policy does not share it for writing. For a signed
     * PUT URL, asked when the URL is made.
     */
    public void checkWriteAccess(String bucket, String key) {
        requireBucket(bucket);
        ObjectKeys.requireValidKey(key);
        checkMayReplace(CallerContext.current(), bucket, key,
            currentForWrite(new PutRequest(bucket, key, null, -1, Map.of(), null, null)));
    }

    // --- owners (docs/access-control.md)

    private boolean mayRead(Caller caller, String owner) {
        return !access.enforced() || access.sharing().canRead(caller, owner);
    }

    private boolean mayChange(Caller caller, String owner) {
        return !access.enforced() || access.sharing().canChange(caller, owner);
    }

    private void checkMayReplace(Caller caller, String bucket, String key, Optional<ObjectRecord> existing) {
        if (existing.isPresent() && !mayChange(caller, existing.get().owner())) {
            throw accessDenied(caller, "overwrite", bucket, key);
        }
    }

    /**
     * A delete the caller may not make: another owner's object is absent to it in a private bucket
     * (404) and read-only in a read bucket (403). While the metadata database is unreachable a key
     * this agent does not know cannot be judged, and a delete, unlike a write, destroys: refused.
     */
    private void checkMayDelete(Caller caller, String bucket, String key) {
        if (!access.enforced() || caller.seesAll() || access.sharing() == Sharing.READ_WRITE) {
            return;
        }
        Optional<ObjectRecord> existing;
        try {
            existing = metadata.find(bucket, key);
        } catch (MetadataUnavailableException e) {
            throw RequestRefusedException.unavailable("deleting " + key + " needs to know whose object it is, and the metadata"
                + " database cannot be reached right now: retry later");
        }
        if (existing.isEmpty()) {
            return;
        }
        if (!mayRead(caller, existing.get().owner())) {
            denied(caller, "delete", bucket, key);
            throw new ObjectNotFoundException(bucket, key);
        }
        if (!mayChange(caller, existing.get().owner())) {
            throw accessDenied(caller, "delete", bucket, key);
        }
    }

    private KelpException accessDenied(Caller caller, String action, String bucket, String key) {
        denied(caller, action, bucket, key);
        return new KelpException(403, "AccessDenied", "owner " + caller.owner() + " may not " + action + " " + bucket + "/" + key
            + ": the object belongs to another owner and bucket " + bucket + " is shared " + sharingName() + "; nothing was changed");
    }

    private String sharingName() {
        return access.sharing().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /**
     * Per-owner quota (kelp.access.owner-quota-*, the principals file), across the policy's buckets.
     * During a metadata outage the agent's own ledger answers ({@link MetadataStore#ownerUsage});
     * when it cannot, an owner with a quota is refused rather than let past it on a guess.
     */
    private void checkOwnerQuota(Caller caller, String bucket, long incomingBytes, Optional<ObjectRecord> existing) {
        OwnerQuota quota = access.quotaOf(caller.owner());
        if (quota.unlimited()) {
            return;
        }
        long bytes = 0;
        long objects = 0;
        try {
            for (String b : config.buckets()) {
                Usage usage = metadata.ownerUsage(b, caller.owner());
                bytes += usage.bytes();
                objects += usage.objects();
            }
        } catch (MetadataUnavailableException e) {
            throw RequestRefusedException.unavailable("the usage of owner " + caller.owner() + ", which has a quota, cannot be known"
                + " right now (the metadata database is unreachable and this agent has not read it since it started): retry later");
        }
        boolean replacesOwn = existing.isPresent() && caller.owner().equals(existing.get().ownerOrDefault());
        bytes += incomingBytes - (replacesOwn && !versioning.keepsVersions() ? existing.get().size() : 0);
        objects += replacesOwn ? 0 : 1;
        String exceeded = quota.exceededBy(caller.owner(), bytes, objects);
        if (exceeded != null) {
            denied(caller, "write over quota", bucket, null);
            throw RequestRefusedException.ownerQuota(caller.owner(), exceeded);
        }
    }

    /** A refused attempt, for the audit trail. */
    private void denied(Caller caller, String action, String bucket, String key) {
        events.emit(new AgentEvent(UUID.randomUUID(), clock.instant(), AgentEvent.Type.ACCESS, bucket, key,
            Map.of("outcome", "denied", "action", action, "caller", caller.owner(), "principal", caller.principal())));
    }

    private void emitAccess(Caller caller, String action, String bucket, String prefix) {
        events.emit(new AgentEvent(UUID.randomUUID(), clock.instant(), AgentEvent.Type.ACCESS, bucket, null,
            Map.of("outcome", "allowed", "action", action, "prefix", prefix == null ? "" : prefix,
                "caller", caller.owner(), "principal", caller.principal())));
    }

    private StagedBlob stage(InputStream body, long declaredLength) {
        try {
            return staging.stage(body, config.maxObjectSize(), declaredLength);
        } catch (java.io.IOException clientGone) {
            // The client broke off mid-body: nothing was stored, and nobody is left to tell.
            throw new KelpException(400, "IncompleteBody", "the request body ended before it was complete: " + clientGone.getMessage());
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
    /**
     * Whether anything about this write depends on the object it replaces: preconditions, quotas
     * (an overwrite frees what it replaces) or another owner's object. A plain write with none
     * of these skips the look-up, one database round trip fewer.
     */
    private boolean judgesCurrent(PutRequest request, Caller caller) {
        return request.ifMatch() != null || request.ifNoneMatch() != null
            || config.quotaMaxBytes() != 0 || config.quotaMaxObjects() != 0
            || !access.quotaOf(caller.owner()).unlimited()
            || (access.enforced() && access.sharing() != Sharing.READ_WRITE);
    }

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

    /** The blob row's references; unknown (LOCAL_ONLY) counts as no row, which only costs a second copy. */
    private OptionalLong blobReferences(String bucket, ContentHash hash) {
        try {
            return metadata.blobReferences(bucket, hash);
        } catch (MetadataUnavailableException e) {
            return OptionalLong.empty();
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

    /** The quotas the metadata transaction holds the write to (checked before too, for an early answer). */
    private WriteLimits limitsOf(Caller caller, String bucket) {
        OwnerQuota owner = access.quotaOf(caller.owner());
        return new WriteLimits(config.quotaMaxBytes(), config.quotaMaxObjects(), caller.owner(), owner.maxBytes(), owner.maxObjects(),
            config.buckets());
    }

    private void refusedInTransaction(Caller caller, String bucket, ContentHash hash, long size, boolean storedBytes) {
        denied(caller, "write over quota", bucket, null);
        if (!storedBytes) {
            return;
        }
        try {
            metadata.offerForReclaim(bucket, hash, size);
        } catch (MetadataUnavailableException e) {
            LOG.warn("blob {} of {} was stored for a write refused over quota and could not be offered for reclaim: {}", hash, bucket,
                e.getMessage());
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
        // A replaced version that is kept still counts (quota.maxBytes: current versions and kept ones).
        long replacedBytes = versioning.keepsVersions() ? 0 : existing.map(ObjectRecord::size).orElse(0L);
        long bytes = usage.bytes() + incomingBytes - replacedBytes;
        long objects = usage.objects() + (existing.isPresent() ? 0 : 1);
        if (config.quotaMaxBytes() > 0 && bytes > config.quotaMaxBytes()) {
            throw RequestRefusedException.quota(bucket, bytes + " bytes would exceed the limit of " + config.quotaMaxBytes());
        }
        if (config.quotaMaxObjects() > 0 && objects > config.quotaMaxObjects()) {
            throw RequestRefusedException.quota(bucket, objects + " objects would exceed the limit of " + config.quotaMaxObjects());
        }
    }

    /** Every access and change names the object's owner and who asked (the audit trail). */
    private void emit(AgentEvent.Type type, ObjectRecord record, Map<String, String> detail) {
        Caller caller = CallerContext.current();
        Map<String, String> withWho = new java.util.HashMap<>(detail);
        withWho.put("owner", record.ownerOrDefault());
        withWho.put("caller", caller.owner());
        withWho.put("principal", caller.principal());
        events.emit(new AgentEvent(UUID.randomUUID(), clock.instant(), type, record.bucket(), record.key(), withWho));
    }
}
