package dev.kelp.agent.blob.remote;

import dev.kelp.agent.object.ContentHash;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.utils.http.SdkHttpUtils;

/**
 * PutObject of content stored as it is, GetObject and HeadObject, signed here (SigV4 with the SDK's
 * signer; an upload's payload hash being the content hash the agent already has:
 * {@link KnownHashSigner}) and sent on the S3 client's HTTP client, without the S3 client's
 * request pipeline around them. That pipeline (interceptors, endpoint rules, metrics,
 * marshalling and unmarshalling) held about 40% of a 4 KiB PUT's CPU on the request thread and
 * more than half of a 4 KiB GET's; going around it took about 1 ms off the write's store step
 * (docs/benchmarks.md, "2026-12-04").
 *
 * <p>What it answers is what the S3 client would have thrown, so that {@link SeaweedFsGuard} and
 * {@link SeaweedFsErrors} treat both alike: an {@link S3Exception} with SeaweedFS's status and
 * error code for a refusal, a {@link SdkClientException} for no answer, and an
 * {@link ApiCallAttemptTimeoutException} when the attempt outlives its time (the request is then
 * aborted, as the S3 client's attempt timeout does). As for the S3 client's streaming GET, that
 * time runs until the response's headers are in; a body that then stalls meets the HTTP
 * client's socket timeout.
 */
final class PlainRequests implements AutoCloseable {

    /** More than any S3 error document; a longer one is cut, its code and message come first. */
    private static final int MAX_ERROR_BODY = 64 * 1024;
    private static final XMLInputFactory XML = xmlFactory();

    private final SdkHttpClient http;
    private final URI endpoint;
    /** The endpoint's path, without a trailing slash, that every bucket's path goes under. */
    private final String basePath;
    private final String region;
    private final AwsCredentialsProvider credentials;
    private final AwsV4HttpSigner signer = new KnownHashSigner();
    private final ScheduledExecutorService timeouts;

    PlainRequests(SdkHttpClient http, URI endpoint, String region, AwsCredentialsProvider credentials) {
        this.http = http;
        this.endpoint = endpoint;
        this.basePath = endpoint.getRawPath() == null ? "" : endpoint.getRawPath().replaceAll("/+$", "");
        this.region = region;
        this.credentials = credentials;
        var timer = new ScheduledThreadPoolExecutor(1, r -> Thread.ofPlatform().daemon().name("kelp-seaweedfs-attempt-timeouts").unstarted(r));
        // Nearly every attempt's timer is cancelled: do not keep them queued until they would have fired.
        timer.setRemoveOnCancelPolicy(true);
        this.timeouts = timer;
    }

    /** Stores {@code size} bytes that hash to {@code hash} at {@code key}; aborts after {@code timeout}. */
    void put(String bucket, String key, ContentHash hash, long size, ContentStreamProvider body, Duration timeout) {
        SdkHttpRequest request = at(SdkHttpMethod.PUT, bucket, key)
            .putHeader("Content-Length", Long.toString(size))
            .putHeader("Content-Type", "application/octet-stream")
            // The signer signs with it and adds it as x-amz-checksum-sha256, which SeaweedFS checks
            // the body against (BadDigest). Put here too, that header would make the signer hash the body.
            .putHeader(KnownHashSigner.CONTENT_SHA256, KnownHashSigner.withKnownHash(hash))
            .build();
        SignedRequest signed = sign(request, body);
        String what = "upload " + key + " to";
        drain(accepted(exchange(HttpExecuteRequest.builder().request(signed.request()).contentStreamProvider(body).build(), timeout, what),
            what), what);
    }

    /**
     * Opens {@code key}, or the {@code range} of it (an HTTP Range, null for all of it), only if its
     * ETag is still {@code ifMatch} (null: whatever it is); aborts when no answer has come after
     * {@code timeout}. The caller reads the body to its end or aborts it.
     */
    Download get(String bucket, String key, String range, String ifMatch, Duration timeout) {
        var request = at(SdkHttpMethod.GET, bucket, key);
        if (range != null) {
            request.putHeader("Range", range);
        }
        if (ifMatch != null) {
            request.putHeader("If-Match", ifMatch);
        }
        SignedRequest signed = sign(request.build(), null);
        String what = "read " + key + " from";
        var response = accepted(exchange(HttpExecuteRequest.builder().request(signed.request()).build(), timeout, what), what);
        AbortableInputStream body = response.responseBody().orElseGet(() -> AbortableInputStream.create(InputStream.nullInputStream()));
        var headers = response.httpResponse();
        long length = headers.firstMatchingHeader("Content-Length").map(Long::parseLong).orElse(-1L);
        return new Download(body, length, headers.firstMatchingHeader("ETag").orElse(null));
    }

    /** Answers when {@code key} is there; its absence (404) or any other refusal comes out as the S3 client's exception. */
    void head(String bucket, String key, Duration timeout) {
        SignedRequest signed = sign(at(SdkHttpMethod.HEAD, bucket, key).build(), null);
        String what = "look for " + key + " in";
        drain(accepted(exchange(HttpExecuteRequest.builder().request(signed.request()).build(), timeout, what), what), what);
    }

    /**
     * An open GetObject answer: its body, which an {@link AbortableInputStream#abort} drops with
     * its connection, its Content-Length ({@code -1} when it has none) and its ETag.
     */
    record Download(AbortableInputStream body, long contentLength, String eTag) {
    }

    private SdkHttpRequest.Builder at(SdkHttpMethod method, String bucket, String key) {
        String path = basePath + "/" + SdkHttpUtils.urlEncodeIgnoreSlashes(bucket)
            + "/" + SdkHttpUtils.urlEncodeIgnoreSlashes(key);
        return SdkHttpRequest.builder()
            .method(method)
            .protocol(endpoint.getScheme())
            .host(endpoint.getHost())
            .port(endpoint.getPort() == -1 ? null : endpoint.getPort())
            .encodedPath(path);
    }

    /** Sends {@code request} and waits for its answer's headers, aborting it if they have not come after {@code timeout}. */
    private HttpExecuteResponse exchange(HttpExecuteRequest request, Duration timeout, String what) {
        ExecutableHttpRequest call = http.prepareRequest(request);
        AtomicBoolean timedOut = new AtomicBoolean();
        ScheduledFuture<?> timer = timeouts.schedule(() -> {
            timedOut.set(true);
            call.abort();
        }, timeout.toNanos(), TimeUnit.NANOSECONDS);
        try {
            return call.call();
        } catch (IOException | UncheckedIOException e) {
            if (timedOut.get()) {
                throw ApiCallAttemptTimeoutException.create(timeout.toMillis());
            }
            throw SdkClientException.create("could not " + what + " SeaweedFS: " + e.getMessage(), e);
        } finally {
            timer.cancel(false);
        }
    }

    /** {@code response} when SeaweedFS accepted the request (2xx); else its refusal, as the S3 client would have thrown it. */
    private static HttpExecuteResponse accepted(HttpExecuteResponse response, String what) {
        if (response.httpResponse().statusCode() / 100 == 2) {
            return response;
        }
        try (InputStream answer = response.responseBody().orElse(null)) {
            throw refusal(response, answer);
        } catch (IOException e) {
            throw SdkClientException.create("could not " + what + " SeaweedFS: " + e.getMessage(), e);
        }
    }

    /** Reads what is left of an answer to its end, so that the connection goes back to the pool. */
    private static void drain(HttpExecuteResponse response, String what) {
        try (InputStream answer = response.responseBody().orElse(null)) {
            if (answer != null) {
                answer.transferTo(OutputStream.nullOutputStream());
            }
        } catch (IOException e) {
            throw SdkClientException.create("could not " + what + " SeaweedFS: " + e.getMessage(), e);
        }
    }

    private SignedRequest sign(SdkHttpRequest request, ContentStreamProvider body) {
        AwsCredentials identity = credentials.resolveCredentials();
        return signer.sign(r -> r.identity(identity).request(request).payload(body)
            .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3")
            .putProperty(AwsV4HttpSigner.REGION_NAME, region)
            .putProperty(AwsV4HttpSigner.DOUBLE_URL_ENCODE, false)
            // As the S3 client signs: payload signing and chunk encoding left to the signer's defaults
            // (signed, whole), which is what KnownHashSigner's known-hash path is checked against.
            .putProperty(AwsV4HttpSigner.NORMALIZE_PATH, false));
    }

    /** SeaweedFS's refusal as the S3 client would have thrown it: status, error code, message, request id. */
    private static S3Exception refusal(HttpExecuteResponse response, InputStream answer) throws IOException {
        byte[] document = answer == null ? new byte[0] : answer.readNBytes(MAX_ERROR_BODY);
        String[] codeAndMessage = codeAndMessage(document);
        var http = response.httpResponse();
        String requestId = http.firstMatchingHeader("x-amz-request-id").orElse(null);
        return (S3Exception) S3Exception.builder()
            .statusCode(http.statusCode())
            .requestId(requestId)
            .message(codeAndMessage[1] != null ? codeAndMessage[1] : "HTTP " + http.statusCode())
            .awsErrorDetails(AwsErrorDetails.builder()
                .errorCode(codeAndMessage[0])
                .errorMessage(codeAndMessage[1])
                .serviceName("S3")
                .sdkHttpResponse(http)
                .build())
            .build();
    }

    /** The {@code Code} and {@code Message} of an S3 error document; nulls where it has none. */
    static String[] codeAndMessage(byte[] document) {
        String[] found = new String[2];
        if (document.length == 0) {
            return found;
        }
        try {
            XMLStreamReader reader = XML.createXMLStreamReader(new ByteArrayInputStream(document));
            try {
                while (reader.hasNext() && (found[0] == null || found[1] == null)) {
                    if (reader.next() == XMLStreamConstants.START_ELEMENT) {
                        switch (reader.getLocalName()) {
                            case "Code" -> found[0] = reader.getElementText().strip();
                            case "Message" -> found[1] = reader.getElementText().strip();
                            default -> { }
                        }
                    }
                }
            } finally {
                reader.close();
            }
        } catch (XMLStreamException notXml) {
            // A proxy's HTML page or a cut document: what was found is all there is.
        }
        return found;
    }

    private static XMLInputFactory xmlFactory() {
        XMLInputFactory factory = XMLInputFactory.newFactory();
        // An error document has no business declaring entities or reaching outside itself.
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        return factory;
    }

    @Override
    public void close() {
        timeouts.shutdownNow();
    }
}
