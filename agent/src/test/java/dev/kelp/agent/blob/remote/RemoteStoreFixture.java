package dev.kelp.agent.blob.remote;

import dev.kelp.agent.events.AgentEvent;
import dev.kelp.agent.mode.ModeMonitor;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The remote store as the agent wires it (client, guard, store, probe, real mode monitor),
 * built by hand so an IT needs no other bean of the agent. Events land in a list.
 */
final class RemoteStoreFixture implements AutoCloseable {

    final List<AgentEvent> events = new CopyOnWriteArrayList<>();
    final SeaweedFsConfig config;
    final ModeMonitor mode;
    final SeaweedFsS3 s3;
    final SeaweedFsGuard guard;
    final SeaweedFsBlobStore store;
    final SeaweedFsHealthProbe probe;

    RemoteStoreFixture(SeaweedFsConfig config) {
        this.config = config;
        this.mode = new ModeMonitor(events::add, new SimpleMeterRegistry(), config.endpoint().toString());
        this.s3 = new SeaweedFsS3(config);
        this.guard = new SeaweedFsGuard(config, mode);
        this.store = new SeaweedFsBlobStore(s3, guard);
        this.probe = new SeaweedFsHealthProbe(config, s3, guard);
        probe.start();
    }

    /** A plain S3 client on the same SeaweedFS, outside the store: to look behind its back. */
    static S3Client plainClient(SeaweedFsConfig config) {
        return S3Client.builder()
            .endpointOverride(URI.create(config.endpoint().toString()))
            .region(Region.of(config.region()))
            .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(config.accessKey(), config.secretKey())))
            .forcePathStyle(true)
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
            .httpClient(UrlConnectionHttpClient.create())
            .build();
    }

    /** Deletes every object of {@code bucket}, then the bucket. */
    static void dropBucket(S3Client s3, String bucket) {
        s3.listObjectsV2Paginator(b -> b.bucket(bucket)).contents()
            .forEach(o -> s3.deleteObject(d -> d.bucket(bucket).key(o.key())));
        s3.deleteBucket(b -> b.bucket(bucket));
    }

    @Override
    public void close() throws InterruptedException {
        probe.stop();
        s3.close();
    }
}
