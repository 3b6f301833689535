package dev.kelp.agent.s3;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * Requests with a body as it is, signed by the SDK's own SigV4 signer: what a test needs to send
 * what no SDK call would (a broken XML document, a method a resource does not take).
 */
final class SignedRequests {

    private SignedRequests() {
    }

    static HttpRequest signed(String endpoint, String keyId, String secret, String method, String pathAndQuery, String body) {
        var request = SdkHttpRequest.builder().method(SdkHttpMethod.fromValue(method)).uri(URI.create(endpoint + pathAndQuery))
            .putHeader("x-amz-content-sha256", "UNSIGNED-PAYLOAD").build();
        var signed = AwsV4HttpSigner.create().sign(r -> r
            .identity(AwsCredentialsIdentity.create(keyId, secret))
            .request(request)
            .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3")
            .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
            .putProperty(AwsV4HttpSigner.DOUBLE_URL_ENCODE, false)
            .putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, false)).request();
        var builder = HttpRequest.newBuilder(signed.getUri());
        signed.headers().forEach((name, values) -> {
            if (!name.equalsIgnoreCase("host")) {
                values.forEach(v -> builder.header(name, v));
            }
        });
        return builder.method(method, HttpRequest.BodyPublishers.ofByteArray(body.getBytes(StandardCharsets.UTF_8))).build();
    }

    /**
     * A request whose signature covers the SHA-256 of {@code signedBody} (a hex
     * {@code x-amz-content-sha256}, as the SDK signs over plain HTTP) but which sends
     * {@code sentBody}: a body changed on its way.
     */
    static HttpRequest signedFor(String endpoint, String keyId, String secret, String method, String pathAndQuery,
                                 String signedBody, String sentBody) {
        byte[] signedBytes = signedBody.getBytes(StandardCharsets.UTF_8);
        var request = SdkHttpRequest.builder().method(SdkHttpMethod.fromValue(method)).uri(URI.create(endpoint + pathAndQuery))
            .putHeader("Content-Length", Integer.toString(signedBytes.length)).build();
        var signed = AwsV4HttpSigner.create().sign(r -> r
            .identity(AwsCredentialsIdentity.create(keyId, secret))
            .request(request)
            .payload(ContentStreamProvider.fromByteArray(signedBytes))
            .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3")
            .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
            .putProperty(AwsV4HttpSigner.DOUBLE_URL_ENCODE, false)).request();
        var builder = HttpRequest.newBuilder(signed.getUri());
        signed.headers().forEach((name, values) -> {
            if (!name.equalsIgnoreCase("host") && !name.equalsIgnoreCase("content-length")) {
                values.forEach(v -> builder.header(name, v));
            }
        });
        return builder.method(method, HttpRequest.BodyPublishers.ofByteArray(sentBody.getBytes(StandardCharsets.UTF_8))).build();
    }
}
