package dev.kelp.agent.tiering;

import dev.kelp.agent.blob.BlobNotFoundException;
import dev.kelp.agent.config.TargetClients;
import dev.kelp.agent.object.ContentHash;
import java.io.InputStream;
import java.net.URI;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * A bucket that cold blobs go to, on the policy's SeaweedFS or another S3 endpoint, with its
 * own client. Not behind the agent's circuit breaker: a run that cannot reach its target fails
 * and says so, and a cold read that cannot reach it is a 503 naming it.
 *
 * @param endpoint null for the policy's own SeaweedFS (as recorded in {@code cold_blobs})
 */
record ColdTarget(String endpoint, String bucket, S3Client client) implements AutoCloseable {

    static ColdTarget open(String recordedEndpoint, URI endpoint, String region, String accessKey, String secretKey, String bucket) {
        return open(recordedEndpoint, endpoint, region, TargetClients.credentials(accessKey, secretKey, null, null), bucket);
    }

    static ColdTarget open(String recordedEndpoint, URI endpoint, String region, AwsCredentialsProvider credentials, String bucket) {
        S3Client client = TargetClients.s3(endpoint, region, credentials);
        return new ColdTarget(recordedEndpoint, bucket, client);
    }

    void ensureBucket() {
        TargetClients.ensureBucket(client, bucket);
    }

    void put(String key, InputStream content, long length) {
        client.putObject(b -> b.bucket(bucket).key(key).contentLength(length).contentType("application/octet-stream"),
            RequestBody.fromInputStream(content, length));
    }

    /** {@code length} stored bytes from {@code from} ({@code < 0}: to the end); {@link BlobNotFoundException} when absent. */
    InputStream open(String key, ContentHash hash, long from, long length) {
        if (length == 0) {
            return InputStream.nullInputStream();
        }
        String range = from == 0 && length < 0 ? null : "bytes=" + from + "-" + (length < 0 ? "" : String.valueOf(from + length - 1));
        try {
            return client.getObject(b -> b.bucket(bucket).key(key).range(range));
        } catch (NoSuchKeyException e) {
            throw new BlobNotFoundException(bucket, hash);
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                throw new BlobNotFoundException(bucket, hash);
            }
            throw e;
        }
    }

    void delete(String key) {
        client.deleteObject(b -> b.bucket(bucket).key(key));
    }

    String describe() {
        return (endpoint == null ? "the policy's SeaweedFS" : endpoint) + ", bucket " + bucket;
    }

    @Override
    public void close() {
        client.close();
    }
}
