package dev.kelp.agent.blob.remote;

import dev.kelp.agent.object.ContentHash;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.checksums.DefaultChecksumAlgorithm;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.AsyncSignRequest;
import software.amazon.awssdk.http.auth.spi.signer.AsyncSignedRequest;
import software.amazon.awssdk.http.auth.spi.signer.PayloadChecksumStore;
import software.amazon.awssdk.http.auth.spi.signer.SdkInternalHttpSignerProperty;
import software.amazon.awssdk.http.auth.spi.signer.SignRequest;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * SigV4 that signs an upload with the SHA-256 the agent computed of its body while staging it,
 * instead of reading and hashing the body once more before sending it.
 *
 * <p>Over plain HTTP the SDK always signs the payload (it refuses UNSIGNED-PAYLOAD there), and to
 * sign it reads the whole body and hashes it before sending a byte: a second SHA-256 of every
 * byte written, after the agent's own (docs/benchmarks.md, "where a large PUT's time goes").
 * Yet SeaweedFS does not hold the body to a signed payload hash: it stored a body that did not
 * match it. A blob's content hash is exactly that payload hash when it is stored as it is, so
 * {@link PlainRequests} puts it in the request's {@code x-amz-content-sha256} header ({@link #withKnownHash})
 * and this signer gives it to the SDK's own signer through the SDK's payload checksum store,
 * with an empty body to read. The SDK takes a stored checksum on its flexible-checksum path
 * only, so the request also carries the hash as {@code x-amz-checksum-sha256}, which SeaweedFS
 * does check: bytes that do not hash to their blob's name are refused (BadDigest). The checksum
 * store is SDK-protected API; {@code KnownHashSignerTest} fails if an SDK upgrade changes how
 * it is used. A request without such a header, or with one that is no hash, is signed as the
 * SDK signs it, its body read and hashed: never signed with a hash nobody computed.
 */
final class KnownHashSigner implements AwsV4HttpSigner {

    static final String CONTENT_SHA256 = "x-amz-content-sha256";
    private static final ContentStreamProvider NOTHING_TO_READ = ContentStreamProvider.fromByteArrayUnsafe(new byte[0]);

    private final AwsV4HttpSigner sdk = AwsV4HttpSigner.create();

    /** The header value that tells this signer the upload's body hashes to {@code hash}. */
    static String withKnownHash(ContentHash hash) {
        return hash.hex();
    }

    @Override
    public SignedRequest sign(SignRequest<? extends AwsCredentialsIdentity> request) {
        Optional<byte[]> known = request.request().firstMatchingHeader(CONTENT_SHA256).flatMap(KnownHashSigner::sha256);
        if (known.isEmpty() || request.payload().isEmpty()) {
            return sdk.sign(request);
        }
        PayloadChecksumStore store = PayloadChecksumStore.create();
        store.putChecksumValue(DefaultChecksumAlgorithm.SHA256, known.get());
        ContentStreamProvider body = request.payload().get();
        // Naming the algorithm takes the SDK's flexible-checksum path, the one that reads the store.
        SignedRequest signed = sdk.sign(request.copy(b -> b.payload(NOTHING_TO_READ)
            .putProperty(AwsV4FamilyHttpSigner.CHECKSUM_ALGORITHM, DefaultChecksumAlgorithm.SHA256)
            .putProperty(SdkInternalHttpSignerProperty.CHECKSUM_STORE, store)));
        return signed.copy(b -> b.payload(body));
    }

    @Override
    public CompletableFuture<AsyncSignedRequest> signAsync(AsyncSignRequest<? extends AwsCredentialsIdentity> request) {
        // The agent's client is synchronous; an async request is signed as the SDK signs it.
        return sdk.signAsync(request);
    }

    private static Optional<byte[]> sha256(String header) {
        if (header.length() != 64) {
            return Optional.empty();
        }
        try {
            return Optional.of(HexFormat.of().parseHex(header));
        } catch (IllegalArgumentException notHex) {
            // UNSIGNED-PAYLOAD, STREAMING-...: not a hash this signer can use.
            return Optional.empty();
        }
    }
}
