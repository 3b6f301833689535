package dev.kelp.agent.blob.remote;

import dev.kelp.agent.blob.BlobNotFoundException;
import dev.kelp.agent.blob.BlobStore;
import dev.kelp.agent.blob.BlobStoreUnavailableException;
import dev.kelp.agent.object.ContentHash;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.BucketAlreadyExistsException;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Blobs in SeaweedFS over its S3 API, at {@code blobs/<sharded hash>} in the caller's bucket.
 * Every call goes through {@link SeaweedFsGuard}: when SeaweedFS is down a call fails with
 * {@link BlobStoreUnavailableException}, within milliseconds once the breaker is open, so the
 * caller can fall back to local storage.
 */
@Singleton
@Named("remote")
@Requires(property = "kelp.seaweedfs.endpoint")
public class SeaweedFsBlobStore implements BlobStore {

    /** SigV4 refuses presigned URLs valid for longer than a week. */
    private static final Duration LONGEST_PRESIGN = Duration.ofDays(7);

    private final SeaweedFsS3 s3;
    private final SeaweedFsGuard guard;
    private final Set<String> knownBuckets = ConcurrentHashMap.newKeySet();

    SeaweedFsBlobStore(SeaweedFsS3 s3, SeaweedFsGuard guard) {
        this.s3 = s3;
        this.guard = guard;
    }

    static String key(ContentHash hash) {
        return "blobs/" + hash.shardedPath();
    }

    @Override
    public boolean exists(String bucket, ContentHash hash) {
        try {
            guard.call("check blob " + hash + " in " + bucket, () -> s3.client().headObject(b -> b
                .bucket(bucket).key(key(hash)).overrideConfiguration(s3.timeoutFor(0))));
            return true;
        } catch (NotFoundInSeaweedFs e) {
            return false;
        }
    }

    @Override
    public void put(String bucket, ContentHash hash, Path file, long size) {
        long actual = sizeOf(file);
        if (actual != size) {
            throw new IllegalArgumentException("blob " + hash + ": " + file + " holds " + actual + " bytes, not " + size);
        }
        ensureBucket(bucket);
        try {
            upload(bucket, hash, file, size);
        } catch (NotFoundInSeaweedFs e) {
            // The bucket went away behind our back (deleted by hand): make it again, once.
            knownBuckets.remove(bucket);
            ensureBucket(bucket);
            upload(bucket, hash, file, size);
        }
    }

    private void upload(String bucket, ContentHash hash, Path file, long size) {
        guard.call("store blob " + hash + " (" + size + " bytes) in " + bucket, () -> s3.client().putObject(b -> b
            .bucket(bucket).key(key(hash)).contentLength(size).contentType("application/octet-stream")
            .overrideConfiguration(s3.timeoutFor(size)), RequestBody.fromFile(file)));
    }

    @Override
    public InputStream open(String bucket, ContentHash hash, long offset, long length) {
        if (offset < 0) {
            throw new IllegalArgumentException("offset must not be negative: " + offset);
        }
        if (length == 0) {
            // S3 has no empty range; the answer is still "not found" when the blob is absent.
            if (!exists(bucket, hash)) {
                throw new BlobNotFoundException(bucket, hash);
            }
            return InputStream.nullInputStream();
        }
        String range = offset == 0 && length < 0 ? null
            : "bytes=" + offset + "-" + (length < 0 ? "" : String.valueOf(offset + length - 1));
        try {
            var response = guard.call("read blob " + hash + " from " + bucket, () -> s3.client().getObject(b -> b
                .bucket(bucket).key(key(hash)).range(range).overrideConfiguration(s3.timeoutFor(0))));
            return new AbortOnEarlyClose(response);
        } catch (NotFoundInSeaweedFs e) {
            throw new BlobNotFoundException(bucket, hash);
        }
    }

    @Override
    public void delete(String bucket, ContentHash hash) {
        try {
            guard.call("delete blob " + hash + " from " + bucket, () -> s3.client().deleteObject(b -> b
                .bucket(bucket).key(key(hash)).overrideConfiguration(s3.timeoutFor(0))));
        } catch (NotFoundInSeaweedFs e) {
            // No bucket, so no blob: deleting what is absent is a no-op.
        }
    }

    /**
     * Reads the stored blob back and checks its SHA-256, so a local copy is released only once
     * SeaweedFS provably holds the same bytes. False when the blob is absent or differs.
     */
    public boolean verify(String bucket, ContentHash hash) {
        GetObjectRequest request = GetObjectRequest.builder()
            .bucket(bucket).key(key(hash)).overrideConfiguration(s3.timeoutFor(0)).build();
        try {
            return guard.call("verify blob " + hash + " in " + bucket, () -> {
                try (var in = s3.client().getObject(request)) {
                    MessageDigest digest = ContentHash.newDigest();
                    byte[] buffer = new byte[64 * 1024];
                    for (int n; (n = in.read(buffer)) >= 0; ) {
                        digest.update(buffer, 0, n);
                    }
                    return ContentHash.of(digest).equals(hash);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (NotFoundInSeaweedFs e) {
            return false;
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
