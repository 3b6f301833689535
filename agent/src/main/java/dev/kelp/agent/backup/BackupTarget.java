package dev.kelp.agent.backup;

import dev.kelp.agent.blob.BlobNotFoundException;
import dev.kelp.agent.blob.remote.SeaweedFsConfig;
import dev.kelp.agent.config.TargetClients;
import dev.kelp.agent.encryption.BlobEncryption;
import dev.kelp.agent.encryption.EncryptedSource;
import dev.kelp.agent.object.ContentHash;
import java.io.InputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The bucket (and prefix) one schedule's backups go to, on the policy's SeaweedFS or on
 * another S3 endpoint. Everything is an object under {@code <prefix><schedule>/}: blobs by
 * content hash, and per run a manifest and the snapshot of the metadata (see docs/backups.md).
 * Unlike the agent's SeaweedFS client this one is not behind the circuit breaker: a backup
 * that cannot reach its target fails and says so; the SDK's own retries are welcome here.
 */
final class BackupTarget implements AutoCloseable {

    private final S3Client client;
    private final String bucket;
    private final String root;

    BackupTarget(S3Client client, String bucket, String root) {
        this.client = client;
        this.bucket = bucket;
        this.root = root;
    }

    static BackupTarget open(BackupScheduleConfig schedule, Optional<SeaweedFsConfig> seaweedfs) {
        var target = schedule.target();
        if (target == null || target.bucket() == null || target.bucket().isBlank()) {
            throw new IllegalArgumentException("backup schedule " + schedule.name() + " has no target bucket");
        }
        URI endpoint;
        String region;
        AwsCredentialsProvider credentials;
        if (target.endpoint() != null) {
            endpoint = target.endpoint();
            region = target.region();
            credentials = TargetClients.credentials(target.accessKey(), target.secretKey(), target.credentialsDir(),
                target.credentialsSecret());
        } else {
            var weed = seaweedfs.orElseThrow(() -> new IllegalArgumentException("backup schedule " + schedule.name()
                + " has no target endpoint and the agent has no SeaweedFS (kelp.seaweedfs.endpoint)"));
            endpoint = weed.endpoint();
            region = weed.region();
            credentials = TargetClients.credentials(weed.accessKey(), weed.secretKey(), null, null);
        }
        S3Client client = TargetClients.s3(endpoint, region, credentials);
        String prefix = target.prefix() == null ? "" : target.prefix();
        if (!prefix.isEmpty() && !prefix.endsWith("/")) {
            prefix += "/";
        }
        return new BackupTarget(client, target.bucket(), prefix + schedule.name() + "/");
    }

    void ensureBucket() {
        TargetClients.ensureBucket(client, bucket);
    }

    String blobKey(String hash) {
        return root + "blobs/" + hash;
    }

    /** Where a blob is kept sealed (docs/encryption.md's format), for policies with encryption at rest. */
    String sealedBlobKey(String hash) {
        return blobKey(hash) + BlobEncryption.ENCRYPTED_SUFFIX;
    }

    /** What a sealed blob's key wrap is bound to: the target, so a blob cannot pass for another target's. */
    String sealingBinding() {
        return "backup:" + bucket + "/" + root;
    }

    /** The stored bytes of a sealed blob, for {@link BlobEncryption#open}: ranged GETs, no key records. */
    EncryptedSource sealedSource(String hash) {
        String key = sealedBlobKey(hash);
        return new EncryptedSource() {
            @Override
            public InputStream open(long from, long length) {
                String range = length < 0 ? "bytes=" + from + "-" : "bytes=" + from + "-" + (from + length - 1);
                try {
                    return client.getObject(b -> b.bucket(bucket).key(key).range(range));
                } catch (NoSuchKeyException e) {
                    throw new BlobNotFoundException(bucket, new ContentHash(hash));
                }
            }

            @Override
            public Optional<byte[]> override() {
                return Optional.empty();
            }
        };
    }

    boolean exists(String key) {
        try {
            client.headObject(b -> b.bucket(bucket).key(key));
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw e;
        }
    }

    String runKey(String runId, String name) {
        return root + "runs/" + runId + "/" + name;
    }

    /**
     * Every blob stored under this schedule, listed once per run (incremental by content hash),
     * by name: the hash, with {@link BlobEncryption#ENCRYPTED_SUFFIX} when it is kept sealed.
     */
    Set<String> blobNames() {
        var names = new HashSet<String>();
        String prefix = root + "blobs/";
        client.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents()
            .forEach(o -> names.add(o.key().substring(prefix.length())));
        return names;
    }

    void deleteBlob(String name) {
        delete(root + "blobs/" + name);
    }

    /** Ids of every run with a manifest, oldest first (ids sort by start time). */
    List<String> runIds() {
        var ids = new ArrayList<String>();
        String prefix = root + "runs/";
        client.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix).delimiter("/")).commonPrefixes()
            .forEach(p -> ids.add(p.prefix().substring(prefix.length(), p.prefix().length() - 1)));
        ids.sort(null);
        return ids;
    }

    void put(String key, InputStream content, long length) {
        client.putObject(b -> b.bucket(bucket).key(key).contentLength(length), RequestBody.fromInputStream(content, length));
    }

    void put(String key, byte[] content) {
        client.putObject(b -> b.bucket(bucket).key(key).contentLength((long) content.length), RequestBody.fromBytes(content));
    }

    Optional<byte[]> read(String key) {
        try {
            return Optional.of(client.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray());
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        }
    }

    ResponseInputStream<GetObjectResponse> open(String key) {
        return client.getObject(b -> b.bucket(bucket).key(key));
    }

    void delete(String key) {
        client.deleteObject(b -> b.bucket(bucket).key(key));
    }

    /** Removes a run's folder: its manifest last, so a half-removed run is still listed and retried. */
    void deleteRun(String runId) {
        String prefix = root + "runs/" + runId + "/";
        var keys = new ArrayList<String>();
        client.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents().stream().map(S3Object::key).forEach(keys::add);
        keys.sort((a, b) -> Boolean.compare(a.endsWith("manifest.json"), b.endsWith("manifest.json")));
        keys.forEach(this::delete);
    }

    String describe() {
        return "s3://" + bucket + "/" + root;
    }

    @Override
    public void close() {
        client.close();
    }
}
