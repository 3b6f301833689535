package dev.kelp.bench;

import java.io.InputStream;
import java.net.URI;
import java.util.List;
import java.util.function.Consumer;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The S3 door's own comparison (issue #8): one aws-sdk-java-v2 client configuration, pointed
 * once at SeaweedFS's S3 endpoint and once at the agent's, same workload: PUT and GET at 4 KiB,
 * 1 MiB and 64 MiB. Both sides pay the same client costs (SigV4, aws-chunked payload signing
 * over plain HTTP), so the table shows what the agent's S3 endpoint adds.
 */
final class S3ClientComparison {

    private static final long KIB = 1024;
    private static final long MIB = 1024 * KIB;

    interface Row {
        void add(String op, long size, int concurrency, int ops, Stats direct, Stats agent);
    }

    private S3ClientComparison() {
    }

    static S3Client client(SdkHttpClient http, URI endpoint, Region region, String keyId, String secret) {
        return S3Client.builder().endpointOverride(endpoint).region(region).forcePathStyle(true).httpClient(http)
            .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(keyId, secret)))
            // SeaweedFS does not speak the SDK's default CRC checksums; the same setting on both sides.
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
            .build();
    }

    static void run(S3Client seaweedfs, String directBucket, S3Client agent, String agentBucket, boolean quick, Row row,
                    Consumer<String> line) throws Exception {
        line.accept("");
        line.accept("## The same S3 client: SeaweedFS's S3 endpoint vs the agent's (docs/s3.md)");
        line.accept("");
        line.accept("| op | size | conc | ops | SeaweedFS MiB/s | agent S3 MiB/s | ratio | SeaweedFS p50 / p99 ms | agent S3 p50 / p99 ms | added p50 / p99 ms |");
        line.accept("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        for (var side : List.of(new Side(seaweedfs, directBucket), new Side(agent, agentBucket))) {
            CellRunner.run(quick ? 200 : 500, 4, 4 * KIB, i -> side.put("s3warm/" + i, 4 * KIB, -5_000_000L - i));
            CellRunner.run(quick ? 200 : 500, 4, 4 * KIB, i -> side.get("s3warm/" + i));
        }
        var direct = new Side(seaweedfs, directBucket);
        var viaAgent = new Side(agent, agentBucket);
        for (long size : new long[] {4 * KIB, MIB, 64 * MIB}) {
            for (int concurrency : new int[] {1, 16}) {
                int ops = size <= 4 * KIB ? 1000 : size <= MIB ? 100 : 4;
                ops *= concurrency == 1 ? 1 : 4;
                ops = quick ? Math.max(concurrency, ops / 4) : ops;
                int n = ops;
                String prefix = "s3door/s" + size + "-c" + concurrency + "/";
                long seedBase = 7_000_000L + size * 31 + concurrency;
                row.add("S3 PUT", size, concurrency, n,
                    CellRunner.run(n, concurrency, size, i -> direct.put(prefix + i, size, seedBase + i)),
                    CellRunner.run(n, concurrency, size, i -> viaAgent.put(prefix + i, size, seedBase + i)));
                row.add("S3 GET", size, concurrency, n,
                    CellRunner.run(n, concurrency, size, i -> direct.get(prefix + i)),
                    CellRunner.run(n, concurrency, size, i -> viaAgent.get(prefix + i)));
            }
        }
    }

    private record Side(S3Client s3, String bucket) {

        void put(String key, long size, long seed) {
            s3.putObject(b -> b.bucket(bucket).key(key).contentType("application/octet-stream"),
                RequestBody.fromContentProvider(new UniqueBody(size, seed), size, "application/octet-stream"));
        }

        void get(String key) throws Exception {
            try (InputStream in = s3.getObject(b -> b.bucket(bucket).key(key))) {
                in.transferTo(Target.OutputStreamSink.INSTANCE);
            }
        }
    }
}
