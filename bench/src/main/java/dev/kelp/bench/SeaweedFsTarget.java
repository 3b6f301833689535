package dev.kelp.bench;

import java.net.URISyntaxException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * SeaweedFS's own S3 endpoint, with SigV4 presigned requests: signed by the SDK's presigner
 * (as the S3 client signs them), sent by the same HTTP client as the agent's.
 */
final class SeaweedFsTarget extends Target {

    private final S3Presigner presigner;
    private final String bucket;

    SeaweedFsTarget(SdkHttpClient http, S3Presigner presigner, String bucket) {
        super(http);
        this.presigner = presigner;
        this.bucket = bucket;
    }

    @Override
    String name() {
        return "seaweedfs";
    }

    @Override
    Request put(String key, long size) {
        var presigned = presigner.presignPutObject(p -> p.signatureDuration(Duration.ofMinutes(30))
            .putObjectRequest(o -> o.bucket(bucket).key(key).contentType("application/octet-stream")));
        return request(presigned.httpRequest(), presigned.signedHeaders());
    }

    @Override
    Request get(String key) {
        var presigned = presigner.presignGetObject(p -> p.signatureDuration(Duration.ofMinutes(30))
            .getObjectRequest(o -> o.bucket(bucket).key(key)));
        return request(presigned.httpRequest(), presigned.signedHeaders());
    }

    private static Request request(SdkHttpRequest signed, Map<String, List<String>> signedHeaders) {
        Map<String, String> headers = new HashMap<>();
        signedHeaders.forEach((name, values) -> {
            if (!name.equalsIgnoreCase("host")) {
                headers.put(name, String.join(",", values));
            }
        });
        try {
            return new Request(signed.getUri().toURL().toURI(), headers);
        } catch (URISyntaxException | java.net.MalformedURLException e) {
            throw new IllegalStateException(e);
        }
    }
}
