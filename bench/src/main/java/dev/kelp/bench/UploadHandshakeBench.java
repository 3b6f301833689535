package dev.kelp.bench;

import static dev.kelp.bench.AgentVsSeaweedFs.env;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * What the S3 client's {@code Expect: 100-continue} costs an upload to SeaweedFS: PutObject of
 * the same sizes, interleaved one by one, through an S3 client as the agent built it before
 * (the SDK's handshake), one without it (as the agent's {@code SendBodyAtOnce} sends), and a
 * presigned PUT on the bare Apache client, which is what SeaweedFS itself costs. A warm-up
 * pass, then a timed one.
 *
 * <p>Arguments: {@code <bytes> <uploads>}; SeaweedFS from the proving ground's environment
 * ({@code KELP_S3_*}).
 */
public final class UploadHandshakeBench {

    private UploadHandshakeBench() {
    }

    public static void main(String[] args) throws Exception {
        int size = Integer.parseInt(args[0]);
        int uploads = Integer.parseInt(args[1]);
        var credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create(env("KELP_S3_ACCESS_KEY"), env("KELP_S3_SECRET_KEY")));
        URI endpoint = URI.create(env("KELP_S3_ENDPOINT"));
        Region region = Region.of(env("KELP_S3_REGION"));
        String bucket = "handshake-" + Long.toString(System.currentTimeMillis(), 36);
        try (SdkHttpClient bare = ApacheHttpClient.create();
             S3Client handshake = client(endpoint, region, credentials, true);
             S3Client atOnce = client(endpoint, region, credentials, false);
             S3Presigner presigner = S3Presigner.builder().endpointOverride(endpoint).region(region).credentialsProvider(credentials)
                 .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build()).build()) {
            handshake.createBucket(b -> b.bucket(bucket));
            var random = new SplittableRandom(size);
            long[][] nanos = new long[3][uploads];
            for (int pass = 0; pass < 2; pass++) {
                for (int i = 0; i < uploads; i++) {
                    for (int side = 0; side < 3; side++) {
                        byte[] body = new byte[size];
                        random.nextBytes(body);
                        String key = "p" + pass + "/" + side + "/" + i;
                        long took = side == 2 ? presignedPut(bare, presigner, bucket, key, body)
                            : put(side == 0 ? handshake : atOnce, bucket, key, body);
                        if (pass == 1) {
                            nanos[side][i] = took;
                        }
                    }
                }
            }
            String[] names = {"S3 client, Expect: 100-continue", "S3 client, body at once", "presigned PUT, bare client"};
            System.out.printf("%d uploads of %d bytes each, interleaved%n| client | p50 ms | p90 ms | p99 ms | mean ms |%n| --- | ---: | ---: | ---: | ---: |%n",
                uploads, size);
            for (int side = 0; side < 3; side++) {
                long[] sorted = nanos[side].clone();
                Arrays.sort(sorted);
                System.out.printf("| %s | %.2f | %.2f | %.2f | %.2f |%n", names[side], sorted[uploads / 2] / 1e6,
                    sorted[uploads * 9 / 10] / 1e6, sorted[uploads * 99 / 100] / 1e6, Arrays.stream(sorted).average().orElse(0) / 1e6);
            }
        }
    }

    /** The agent's SeaweedFS client settings before and after it dropped the handshake (SeaweedFsS3). */
    private static S3Client client(URI endpoint, Region region, StaticCredentialsProvider credentials, boolean expectContinue) {
        SdkHttpClient apache = ApacheHttpClient.builder().expectContinueEnabled(expectContinue).build();
        return S3Client.builder().endpointOverride(endpoint).region(region).credentialsProvider(credentials).forcePathStyle(true)
            .serviceConfiguration(S3Configuration.builder().chunkedEncodingEnabled(false).build())
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
            .httpClient(expectContinue ? apache : withoutExpect(apache))
            .build();
    }

    private static SdkHttpClient withoutExpect(SdkHttpClient http) {
        return new SdkHttpClient() {
            @Override
            public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
                var without = HttpExecuteRequest.builder().request(request.httpRequest().toBuilder().removeHeader("Expect").build());
                request.contentStreamProvider().ifPresent(without::contentStreamProvider);
                return http.prepareRequest(without.build());
            }

            @Override
            public void close() {
                http.close();
            }
        };
    }

    private static long put(S3Client s3, String bucket, String key, byte[] body) {
        long start = System.nanoTime();
        s3.putObject(b -> b.bucket(bucket).key(key).contentLength((long) body.length), RequestBody.fromBytes(body));
        return System.nanoTime() - start;
    }

    private static long presignedPut(SdkHttpClient http, S3Presigner presigner, String bucket, String key, byte[] body) {
        var url = presigner.presignPutObject(p -> p.signatureDuration(Duration.ofMinutes(10))
            .putObjectRequest(b -> b.bucket(bucket).key(key))).url();
        var request = SdkHttpRequest.builder().uri(URI.create(url.toString())).method(SdkHttpMethod.PUT)
            .putHeader("Content-Length", Integer.toString(body.length)).build();
        long start = System.nanoTime();
        try {
            var response = http.prepareRequest(HttpExecuteRequest.builder().request(request)
                .contentStreamProvider(() -> new ByteArrayInputStream(body)).build()).call();
            if (response.responseBody().isPresent()) {
                try (var in = response.responseBody().get()) {
                    in.readAllBytes();
                }
            }
            if (response.httpResponse().statusCode() != 200) {
                throw new IllegalStateException("presigned PUT answered " + response.httpResponse().statusCode());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return System.nanoTime() - start;
    }
}
