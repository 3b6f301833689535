package dev.kelp.agent.signing;

import dev.kelp.agent.blob.local.LocalBlobStore;
import dev.kelp.agent.blob.remote.SeaweedFsBlobStore;
import dev.kelp.agent.mode.Mode;
import dev.kelp.agent.mode.ModeMonitor;
import dev.kelp.agent.object.KelpException;
import dev.kelp.agent.object.ObjectKeys;
import dev.kelp.agent.object.ObjectRecord;
import dev.kelp.agent.object.ObjectService;
import dev.kelp.agent.object.StorageConfig;
import dev.kelp.agent.object.RequestRefusedException;
import jakarta.inject.Singleton;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Hands out signed URLs. A GET of an object that is already on SeaweedFS, asked for while the
 * agent is FULL, is an S3 presigned URL straight to SeaweedFS (the bytes need not pass through
 * this pod); anything else is an agent URL checked by {@link SignedUrlFilter}, which keeps
 * working through an outage because it never leaves the agent.
 */
@Singleton
class SignedUrlService {

    private final SigningConfig config;
    private final UrlSigner signer;
    private final ObjectService objects;
    private final StorageConfig storage;
    private final LocalBlobStore local;
    private final Optional<SeaweedFsBlobStore> seaweed;
    private final ModeMonitor mode;

    SignedUrlService(SigningConfig config, UrlSigner signer, ObjectService objects, StorageConfig storage,
                     LocalBlobStore local, Optional<SeaweedFsBlobStore> seaweed, ModeMonitor mode) {
        this.config = config;
        this.signer = signer;
        this.objects = objects;
        this.storage = storage;
        this.local = local;
        this.seaweed = seaweed;
        this.mode = mode;
    }

    SignedUrl sign(SignedUrlRequest request, String hostOfCaller) {
        String method = request.method() == null ? "GET" : request.method().toUpperCase(Locale.ROOT);
        if (!method.equals("GET") && !method.equals("PUT")) {
            throw new KelpException(400, "InvalidArgument", "a signed URL allows GET or PUT, not " + request.method());
        }
        if (request.bucket() == null || request.key() == null) {
            throw new KelpException(400, "InvalidArgument", "bucket and key are required");
        }
        Duration ttl = ttl(request.expiresInSeconds());
        Instant expires = signer.now().plus(ttl).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        if (method.equals("GET")) {
            ObjectRecord record = objects.head(request.bucket(), request.key());
            Optional<SignedUrl> direct = presignedBySeaweedFs(record, ttl, expires);
            if (direct.isPresent()) {
                return direct.get();
            }
        } else {
            ObjectKeys.requireValidBucket(request.bucket());
            if (!storage.buckets().contains(request.bucket())) {
                throw RequestRefusedException.unknownBucket(request.bucket());
            }
            ObjectKeys.requireValidKey(request.key());
            // Whoever asks must be allowed to write the key now (docs/access-control.md).
            objects.checkWriteAccess(request.bucket(), request.key());
        }
        String signature = signer.sign(method, request.bucket(), request.key(), expires);
        String url = base(hostOfCaller) + "/v1/objects/" + request.bucket() + "/" + encodePath(request.key())
            + "?" + SignedUrlParameters.EXPIRES + "=" + expires.getEpochSecond() + "&" + SignedUrlParameters.SIGNATURE + "=" + signature;
        return new SignedUrl(url, method, expires, "agent");
    }

    private Optional<SignedUrl> presignedBySeaweedFs(ObjectRecord record, Duration ttl, Instant expires) {
        if (seaweed.isEmpty() || mode.current().mode() != Mode.FULL || local.exists(record.bucket(), record.hash())
            || !seaweed.get().servesPlaintext() || seaweed.get().mayBeChunked(record.size())) {
            // Not on SeaweedFS yet (still queued on the fallback volume), SeaweedFS is not to be relied on now,
            // its bytes there may be encrypted (docs/encryption.md), or kept as chunks (block-level dedup).
            return Optional.empty();
        }
        var url = seaweed.get().presignGet(record.bucket(), record.hash(), ttl);
        return Optional.of(new SignedUrl(url.toString(), "GET", expires, "seaweedfs"));
    }

    private Duration ttl(Long seconds) {
        if (seconds == null) {
            return config.defaultTtl();
        }
        if (seconds < 1 || seconds > config.maxTtl().toSeconds()) {
            throw new KelpException(400, "InvalidArgument",
                "expiresInSeconds must be between 1 and " + config.maxTtl().toSeconds() + " (kelp.signed-urls.max-ttl), not " + seconds);
        }
        return Duration.ofSeconds(seconds);
    }

    private String base(String hostOfCaller) {
        if (!config.baseUrl().isEmpty()) {
            return config.baseUrl();
        }
        return "http://" + (hostOfCaller == null || hostOfCaller.isBlank() ? "127.0.0.1" : hostOfCaller);
    }

    /** Percent-encodes each path segment; the slashes between them stay. */
    static String encodePath(String key) {
        return Arrays.stream(key.split("/", -1))
            .map(s -> URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20"))
            .collect(Collectors.joining("/"));
    }
}
