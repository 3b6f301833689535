package dev.kelp.agent.multipart;

import dev.kelp.agent.access.AccessControl;
import dev.kelp.agent.access.Caller;
import dev.kelp.agent.access.CallerContext;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.kelp.agent.blob.BlobStaging;
import dev.kelp.agent.blob.StagedBlob;
import dev.kelp.agent.fallback.FallbackVolume;
import dev.kelp.agent.object.KelpException;
import dev.kelp.agent.object.ObjectKeys;
import dev.kelp.agent.object.ObjectRecord;
import dev.kelp.agent.object.ObjectService;
import dev.kelp.agent.object.PutRequest;
import dev.kelp.agent.object.RequestRefusedException;
import dev.kelp.agent.object.StorageConfig;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Multipart uploads for either door: parts are kept durably on the fallback volume until the
 * client completes the upload, which concatenates them into one staged body and hands it to
 * {@link ObjectService#putStaged}, the same path a single PUT takes. Changes to one upload
 * are serialised (its parts stream in parallel, outside the lock; only recording them is
 * serial); different uploads never wait for each other.
 */
@Singleton
public class MultipartService {

    /** How long a repeated complete of the same parts still answers with the object it made. */
    static final Duration COMPLETE_RETRY_WINDOW = Duration.ofMinutes(15);

    private static final Logger LOG = LoggerFactory.getLogger(MultipartService.class);

    private final MultipartConfig config;
    private final StorageConfig storage;
    private final ObjectService objects;
    private final BlobStaging staging;
    private final UploadStore store;
    private final Clock clock = Clock.systemUTC();
    private final AccessControl access;
    private final Map<String, OpenUpload> open = new ConcurrentHashMap<>();

    private final Cache<String, Completed> recentlyCompleted = Caffeine.newBuilder()
        .maximumSize(10_000).expireAfterWrite(COMPLETE_RETRY_WINDOW).build();

    public MultipartService(MultipartConfig config, StorageConfig storage, ObjectService objects, BlobStaging staging, UploadStore store,
                            FallbackVolume volume, MeterRegistry meters, AccessControl access) {
        this.access = access;
        this.config = config;
        this.storage = storage;
        this.objects = objects;
        this.staging = staging;
        this.store = store;
        for (UploadManifest upload : store.loadAll()) {
            open.put(upload.uploadId(), new OpenUpload(upload));
        }
        // What an operator needs to see that abandoned uploads are filling the fallback volume.
        meters.gauge("kelp.multipart.open.uploads", open, Map::size);
        meters.gauge("kelp.multipart.part.bytes", volume, FallbackVolume::partBytes);
        if (!open.isEmpty()) {
            LOG.info("{} multipart uploads still open on the fallback volume; clients may resume them", open.size());
        }
    }

    public MultipartConfig config() {
        return config;
    }

    /**
     * Starts an upload of {@code request.key()}, refused up front for whatever a PUT of it
     * would be refused for before its body (the quota as it stands now; checked again at complete).
     */
    public UploadManifest initiate(PutRequest request) {
        objects.checkAdmission(request);
        var upload = UploadManifest.initiate(request.bucket(), request.key(), request.contentType(), request.userMetadata(),
            "*".equals(request.ifNoneMatch()), clock.instant(), request.tags(), CallerContext.current().owner());
        store.create(upload);
        open.put(upload.uploadId(), new OpenUpload(upload));
        return upload;
    }

    /**
     * Streams {@code body} to the fallback volume as part {@code partNumber}, replacing any
     * part with that number once the new one is durable.
     *
     * @param declaredLength Content-Length, or -1 when the client streams without one
     */
    public PartInfo uploadPart(String uploadId, int partNumber, long declaredLength, InputStream body) {
        return uploadPart(uploadId, partNumber, declaredLength, body, () -> null);
    }

    /**
     * As {@link #uploadPart(String, int, long, InputStream)}, recording with the part the MD5
     * {@code md5} gives once {@code body} has been read to its end (the S3 door computes it as the
     * body streams), so its ETags survive an agent restart without reading the part again.
     */
    public PartInfo uploadPart(String uploadId, int partNumber, long declaredLength, InputStream body,
                               java.util.function.Supplier<String> md5) {
        OpenUpload upload = find(uploadId);
        UploadManifest.requirePartNumber(partNumber);
        long limit = Math.min(config.maxPartSize(), storage.maxObjectSize());
        if (declaredLength > limit) {
            throw RequestRefusedException.tooLarge(declaredLength, limit);
        }
        try (StagedBlob staged = stage(body, limit)) {
            var part = new PartInfo(partNumber, staged.size(), staged.hash().hex(), md5.get());
            synchronized (upload) {
                UploadManifest current = upload.current(uploadId);
                long total = current.sizeWithout(partNumber) + part.size();
                if (total > storage.maxObjectSize()) {
                    throw RequestRefusedException.tooLarge(total, storage.maxObjectSize());
                }
                upload.manifest = store.addPart(current, staged, part);
            }
            return part;
        }
    }

    public UploadManifest describe(String uploadId) {
        // Not under the upload's lock: a client polling while a long complete runs gets the
        // manifest as it stands instead of waiting for the complete to end.
        return find(uploadId).current(uploadId);
    }

    /** Open uploads, oldest first; of one bucket, or of all when {@code bucket} is null. */
    public List<UploadManifest> list(String bucket) {
        if (bucket != null) {
            ObjectKeys.requireValidBucket(bucket);
            if (!storage.buckets().contains(bucket)) {
                throw RequestRefusedException.unknownBucket(bucket);
            }
        }
        Caller caller = CallerContext.current();
        return open.values().stream()
            .map(u -> u.manifest)
            .filter(m -> bucket == null || m.bucket().equals(bucket))
            .filter(m -> mayUse(caller, m))
            .sorted(Comparator.comparing(UploadManifest::initiatedAt).thenComparing(UploadManifest::uploadId))
            .toList();
    }

    /**
     * Concatenates the named parts into one staged body (streamed: one buffer, whatever the
     * size) and stores it as a PUT would; then the upload is gone. A refusal (bad part list,
     * size, quota, precondition) leaves the upload as it was, so the client can fix its list
     * and try again.
     */
    public ObjectRecord complete(String uploadId, List<CompletedPart> parts) {
        return complete(uploadId, parts, selected -> Map.of());
    }

    /**
     * As {@link #complete(String, List)}, with user-metadata entries of the door's own added to
     * the object's, computed from the parts the list selects (the S3 door's multipart ETag).
     */
    public ObjectRecord complete(String uploadId, List<CompletedPart> parts,
                                 java.util.function.Function<List<PartInfo>, Map<String, String>> extraMetadata) {
        OpenUpload upload = UploadManifest.isUploadId(uploadId) ? open.get(uploadId) : null;
        if (upload == null) {
            return completedAlready(uploadId, parts);
        }
        synchronized (upload) {
            if (upload.closed) {
                return completedAlready(uploadId, parts);
            }
            UploadManifest current = upload.current(uploadId);
            List<PartInfo> selected = current.select(parts);
            long total = selected.stream().mapToLong(PartInfo::size).sum();
            Map<String, String> metadata = new java.util.HashMap<>(current.userMetadata());
            metadata.putAll(extraMetadata.apply(selected));
            var request = new PutRequest(current.bucket(), current.key(), current.contentType(), total, metadata,
                null, current.createOnly() ? "*" : null, current.tags());
            objects.checkAdmission(request);
            var pieces = selected.stream().map(p -> new ConcatenatedParts.Piece(p.partNumber(), store.fileOf(current, p), p.size(), p.hash())).toList();
            ObjectRecord stored;
            try (var concatenated = new ConcatenatedParts(pieces); StagedBlob staged = staging.stage(concatenated, storage.maxObjectSize())) {
                stored = objects.putStaged(request, staged);
            } catch (ConcatenatedParts.DamagedPartException e) {
                // Acknowledged as durable, yet not what was sent: say so, and forget the part so
                // the listing shows it missing and the client sends it again.
                LOG.error("Upload {}: {}; dropped it from the upload", uploadId, e.getMessage());
                upload.manifest = store.dropPart(current, e.partNumber());
                throw new KelpException(500, "PartDamaged", "part " + e.partNumber() + " of upload " + uploadId
                    + " was damaged on the agent's disk and has been dropped: upload it again, then complete");
            } catch (IOException e) {
                // The parts are ours, on our own disk: failing to read one is a disk failure.
                throw new UncheckedIOException("cannot read the parts of upload " + uploadId, e);
            }
            recentlyCompleted.put(uploadId, new Completed(List.copyOf(parts), stored));
            close(upload, current, "completed as " + current.bucket() + "/" + current.key());
            return stored;
        }
    }

    /**
     * A complete repeated with the same part list (a client that never got the first answer
     * retries) answers what the first stored, rather than a 404 for an upload that has just
     * become an object. Kept in memory for a while: after an agent restart the retry is a 404.
     */
    private ObjectRecord completedAlready(String uploadId, List<CompletedPart> parts) {
        Completed done = recentlyCompleted.getIfPresent(uploadId);
        if (done != null && done.parts().equals(parts)) {
            return done.stored();
        }
        throw UploadRefusedException.noSuchUpload(uploadId);
    }

    private record Completed(List<CompletedPart> parts, ObjectRecord stored) {
    }

    /** Ends an upload without storing anything, and frees its parts. */
    public void abort(String uploadId) {
        OpenUpload upload = find(uploadId);
        synchronized (upload) {
            close(upload, upload.current(uploadId), "aborted");
        }
    }

    /** Aborts every upload initiated more than {@code kelp.multipart.max-age} ago; returns how many. */
    public int reclaimExpired() {
        Instant now = clock.instant();
        int reclaimed = 0;
        for (var entry : open.entrySet()) {
            OpenUpload upload = entry.getValue();
            synchronized (upload) {
                if (!upload.closed && !upload.manifest.expiresAt(config.maxAge()).isAfter(now)) {
                    close(upload, upload.manifest, "expired (initiated " + upload.manifest.initiatedAt() + ")");
                    reclaimed++;
                }
            }
        }
        return reclaimed;
    }

    private OpenUpload find(String uploadId) {
        OpenUpload upload = UploadManifest.isUploadId(uploadId) ? open.get(uploadId) : null;
        // Another owner's upload is absent to the caller, whatever the sharing: it is no object yet.
        if (upload == null || !mayUse(CallerContext.current(), upload.manifest)) {
            throw UploadRefusedException.noSuchUpload(uploadId);
        }
        return upload;
    }

    private boolean mayUse(Caller caller, UploadManifest manifest) {
        return !access.enforced() || caller.seesAll() || caller.owner().equals(manifest.ownerOrDefault());
    }

    // Called with the upload's lock held.
    private void close(OpenUpload upload, UploadManifest manifest, String why) {
        upload.closed = true;
        open.remove(manifest.uploadId(), upload);
        try {
            store.delete(manifest);
        } catch (RuntimeException e) {
            // The object (if any) is stored; what is left on disk is reclaimed after the next start.
            LOG.warn("Upload {} {}, but its files could not all be removed: {}", manifest.uploadId(), why, e.toString());
            return;
        }
        LOG.debug("Upload {} {}; {} parts, {} bytes freed", manifest.uploadId(), why, manifest.parts().size(), manifest.totalSize());
    }

    private StagedBlob stage(InputStream body, long limit) {
        try {
            return staging.stage(body, limit);
        } catch (IOException clientGone) {
            // The client broke off mid-part: the part it had before (if any) stays, and it may retry.
            throw new KelpException(400, "IncompleteBody", "the part ended before it was complete: " + clientGone.getMessage());
        }
    }

    /** One open upload: its current manifest, and whether it has been completed or aborted since it was looked up. */
    private static final class OpenUpload {
        volatile UploadManifest manifest;
        volatile boolean closed;

        OpenUpload(UploadManifest manifest) {
            this.manifest = manifest;
        }

        UploadManifest current(String uploadId) {
            if (closed) {
                throw UploadRefusedException.noSuchUpload(uploadId);
            }
            return manifest;
        }
    }
}
