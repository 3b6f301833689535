package dev.kelp.agent.blob.remote;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.agent.object.ContentHash;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignRequest;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/** Whether an upload whose hash the agent knows is signed with that hash, without its body being read. */
class KnownHashSignerTest {

    private static final byte[] BODY = "the bytes of a blob".getBytes(StandardCharsets.UTF_8);

    @Test
    void anUploadWithItsHashInTheHeaderIsSignedWithThatHashAndItsBodyIsNotRead() {
        var body = new CountingBody(BODY);
        ContentHash hash = ContentHash.ofBytes(BODY);

        SignedRequest signed = new KnownHashSigner().sign(request(body, KnownHashSigner.withKnownHash(hash)));

        assertThat(body.opened.get()).isZero();
        assertThat(signed.payload()).containsSame(body);
        assertThat(signed.request().firstMatchingHeader("x-amz-content-sha256")).contains(hash.hex());
        assertThat(signed.request().firstMatchingHeader("x-amz-checksum-sha256"))
            .contains(Base64.getEncoder().encodeToString(HexFormat.of().parseHex(hash.hex())));
        assertThat(signed.request().firstMatchingHeader("Authorization")).hasValueSatisfying(auth -> assertThat(auth)
            .startsWith("AWS4-HMAC-SHA256 Credential=kelp/").contains("x-amz-content-sha256"));
    }

    @Test
    void anUploadWithoutAKnownHashIsHashedAndSignedAsTheSdkDoes() {
        var body = new CountingBody(BODY);

        SignedRequest signed = new KnownHashSigner().sign(request(body, null));

        assertThat(body.opened.get()).isPositive();
        assertThat(signed.request().firstMatchingHeader("x-amz-content-sha256")).contains(ContentHash.ofBytes(BODY).hex());
        assertThat(signed.request().firstMatchingHeader("x-amz-checksum-sha256")).isEmpty();
    }

    @Test
    void aHeaderThatIsNoHashIsLeftToTheSdk() {
        var body = new CountingBody(BODY);

        SignedRequest signed = new KnownHashSigner().sign(request(body, "UNSIGNED-PAYLOAD-BUT-SIXTY-FOUR-CHARACTERS-LONG-XXXXXXXXXXXXXXXXX"));

        assertThat(body.opened.get()).isPositive();
        assertThat(signed.request().firstMatchingHeader("x-amz-content-sha256")).contains(ContentHash.ofBytes(BODY).hex());
    }

    @Test
    void anAnonymousUploadStaysUnsignedAndItsBodyUnread() {
        var body = new CountingBody(BODY);
        var anonymous = request(body, KnownHashSigner.withKnownHash(ContentHash.ofBytes(BODY)))
            .copy(b -> b.identity(AnonymousCredentialsProvider.create().resolveCredentials()));

        SignedRequest signed = new KnownHashSigner().sign(anonymous);

        assertThat(body.opened.get()).isZero();
        assertThat(signed.payload()).containsSame(body);
        assertThat(signed.request().firstMatchingHeader("Authorization")).isEmpty();
    }

    private static SignRequest<AwsCredentialsIdentity> request(ContentStreamProvider body, String contentSha256) {
        var http = SdkHttpRequest.builder().method(SdkHttpMethod.PUT).uri(URI.create("http://127.0.0.1:8333/bucket/blobs/ab/cd"))
            .putHeader("Content-Length", Integer.toString(BODY.length));
        if (contentSha256 != null) {
            http.putHeader("x-amz-content-sha256", contentSha256);
        }
        return SignRequest.builder((AwsCredentialsIdentity) AwsBasicCredentials.create("kelp", "secret"))
            .request(http.build())
            .payload(body)
            .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
            .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3")
            .putProperty(AwsV4HttpSigner.DOUBLE_URL_ENCODE, false)
            .putProperty(AwsV4HttpSigner.NORMALIZE_PATH, false)
            .build();
    }

    private static final class CountingBody implements ContentStreamProvider {
        final AtomicInteger opened = new AtomicInteger();
        private final byte[] bytes;

        CountingBody(byte[] bytes) {
            this.bytes = bytes;
        }

        @Override
        public InputStream newStream() {
            opened.incrementAndGet();
            return new ByteArrayInputStream(bytes);
        }
    }
}
