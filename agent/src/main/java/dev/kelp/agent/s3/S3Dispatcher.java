package dev.kelp.agent.s3;

import dev.kelp.agent.access.AccessControl;
import dev.kelp.agent.access.CallerContext;
import dev.kelp.agent.blob.BlobStoreUnavailableException;
import dev.kelp.agent.events.AgentEvent;
import dev.kelp.agent.events.EventSink;
import java.util.Map;
import java.util.UUID;
import dev.kelp.agent.metadata.MetadataUnavailableException;
import dev.kelp.agent.object.KelpException;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one S3 request on a worker thread: resolves it, verifies its signature, picks the
 * operation from method, bucket, key and query parameters, and answers S3 errors as S3's
 * error document.
 */
@Singleton
final class S3Dispatcher {

    private static final Logger LOG = LoggerFactory.getLogger(S3Dispatcher.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    /**
     * Subresources the endpoint does not serve; asking for one is a clear 501, never a listing.
     * {@code tagging} is served for objects, not for buckets.
     */
    private static final java.util.List<String> UNSUPPORTED = java.util.List.of("tagging", "acl", "policy",
        "policyStatus", "lifecycle", "cors", "encryption", "website", "logging", "notification", "replication", "requestPayment",
        "object-lock", "retention", "legal-hold", "ownershipControls", "publicAccessBlock", "accelerate", "analytics", "inventory",
        "metrics", "intelligent-tiering", "restore", "select", "torrent", "attributes");

    private final S3Config config;
    private final SigV4Verifier verifier;
    private final BucketOperations buckets;
    private final ObjectOperations objects;
    private final MultipartOperations multipart;
    private final VersionOperations versions;
    private final S3Tagging tagging;
    private final Clock clock;
    private final EventSink events;

    S3Dispatcher(S3Config config, BucketOperations buckets, ObjectOperations objects, MultipartOperations multipart,
                 VersionOperations versions, S3Tagging tagging, AccessControl access, EventSink events) {
        this.events = events;
        this.versions = versions;
        this.tagging = tagging;
        this.config = config;
        this.verifier = new SigV4Verifier(config, access::s3Key);
        this.buckets = buckets;
        this.objects = objects;
        this.multipart = multipart;
        this.clock = Clock.systemUTC();
    }

    static String newRequestId() {
        byte[] id = new byte[8];
        RANDOM.nextBytes(id);
        return HexFormat.of().withUpperCase().formatHex(id);
    }

    void serve(S3Exchange exchange) {
        S3Request request = null;
        try {
            request = S3Request.of(exchange.head(), config.baseDomain(), exchange.requestId());
            SigV4Verifier.Verified verified;
            try {
                verified = verifier.verify(request, clock.instant());
            } catch (S3Exception refused) {
                denied(request, refused);
                throw refused;
            }
            // The whole request, body included, is served on this thread as the key's owner.
            try (CallerContext.Scope ignored = CallerContext.enter(verified.caller())) {
                exchange.send(route(request, verified, exchange));
            }
        } catch (S3Exception e) {
            fail(exchange, request, e);
        } catch (KelpException e) {
            fail(exchange, request, S3Errors.of(e));
        } catch (MetadataUnavailableException | BlobStoreUnavailableException e) {
            fail(exchange, request, new S3Exception(503, "ServiceUnavailable", e.getMessage()));
        } catch (IOException e) {
            LOG.debug("S3 request {} broke off: {}", exchange.requestId(), e.toString());
        } catch (RuntimeException e) {
            LOG.error("S3 request {} {} failed", exchange.requestId(), exchange.head().uri(), e);
            fail(exchange, request, new S3Exception(500, "InternalError", "We encountered an internal error. Please try again."));
        }
    }

    /** A request whose credential was refused: it names no owner, but the attempt goes into the audit trail. */
    private void denied(S3Request request, S3Exception refused) {
        String credential = request.header("authorization");
        String keyId = credential != null && credential.contains("Credential=")
            ? credential.substring(credential.indexOf("Credential=") + 11).split("/", 2)[0]
            : request.param("X-Amz-Credential") != null ? request.param("X-Amz-Credential").split("/", 2)[0] : null;
        events.emit(new AgentEvent(UUID.randomUUID(), clock.instant(), AgentEvent.Type.ACCESS, request.bucket(), request.key(),
            Map.of("outcome", "denied", "action", "authenticate", "principal", keyId == null ? "none" : "s3:" + keyId,
                "reason", refused.code())));
    }

    /** Answers {@code error} without serving the request (no worker thread was free for it). */
    void refuse(S3Exchange exchange, S3Exception error) {
        fail(exchange, null, error);
    }

    private S3Response route(S3Request r, SigV4Verifier.Verified verified, S3Exchange exchange) throws IOException {
        String method = r.method();
        if (r.bucket() == null) {
            if (method.equals("GET")) {
                return buckets.listBuckets();
            }
            throw new S3Exception(405, "MethodNotAllowed", "The specified method is not allowed against this resource");
        }
        if (r.key() == null) {
            for (String sub : UNSUPPORTED) {
                if (r.has(sub)) {
                    throw S3Exception.notImplemented("the bucket subresource ?" + sub);
                }
            }
            if (r.has("versioning")) {
                return switch (method) {
                    case "GET" -> versions.getVersioning(r.bucket());
                    case "PUT" -> versions.putVersioning(r, readXml(r, verified, exchange));
                    default -> throw new S3Exception(405, "MethodNotAllowed", "?versioning is GET or PUT");
                };
            }
            if (r.has("versions") && method.equals("GET")) {
                return versions.list(r);
            }
            return switch (method) {
                case "GET" -> r.has("location") ? buckets.location(r.bucket())
                    : r.has("uploads") ? listUploads(r)
                    : buckets.list(r, "2".equals(r.param("list-type")));
                case "HEAD" -> buckets.head(r.bucket());
                case "PUT" -> buckets.create(r.bucket());
                case "DELETE" -> buckets.delete(r.bucket());
                case "POST" -> {
                    if (r.has("delete")) {
                        yield objects.deleteMany(r, verified, exchange.body());
                    }
                    throw new S3Exception(405, "MethodNotAllowed", "POST on a bucket is only DeleteObjects (?delete)");
                }
                default -> throw new S3Exception(405, "MethodNotAllowed", "The specified method is not allowed against this resource");
            };
        }
        if (r.has("tagging")) {
            return switch (method) {
                case "GET" -> tagging.get(r);
                case "PUT" -> tagging.put(r, verified, exchange.body());
                case "DELETE" -> tagging.delete(r);
                default -> throw new S3Exception(405, "MethodNotAllowed", "?tagging of an object is GET, PUT or DELETE");
            };
        }
        for (String sub : UNSUPPORTED) {
            if (r.has(sub)) {
                throw S3Exception.notImplemented("the object subresource ?" + sub);
            }
        }
        if (r.param("versionId") != null && !r.param("versionId").equals("null")
            && !(method.equals("GET") || method.equals("HEAD") || method.equals("DELETE")) ) {
            throw S3Exception.notImplemented(method + " of an object version (versionId)");
        }
        return switch (method) {
            case "PUT" -> {
                if (r.has("uploadId") || r.has("partNumber")) {
                    yield r.header("x-amz-copy-source") != null ? multipart.uploadPartCopy(r) : multipart.uploadPart(r, verified, exchange.body());
                }
                yield r.header("x-amz-copy-source") != null ? objects.copy(r) : objects.put(r, verified, exchange.body());
            }
            case "GET" -> r.has("uploadId") ? multipart.listParts(r) : objects.get(r, false);
            case "HEAD" -> objects.get(r, true);
            case "DELETE" -> r.has("uploadId") ? multipart.abort(r) : objects.delete(r);
            case "POST" -> {
                if (r.has("uploads")) {
                    yield multipart.initiate(r);
                }
                if (r.has("uploadId")) {
                    yield multipart.complete(r, verified, exchange.body());
                }
                throw new S3Exception(405, "MethodNotAllowed", "POST on an object is CreateMultipartUpload (?uploads) or"
                    + " CompleteMultipartUpload (?uploadId)");
            }
            default -> throw new S3Exception(405, "MethodNotAllowed", "The specified method is not allowed against this resource");
        };
    }

    private static byte[] readXml(S3Request r, SigV4Verifier.Verified verified, S3Exchange exchange) throws IOException {
        try {
            return Xml.readBody(RequestBodies.decode(r, verified, exchange.body()));
        } catch (S3BodyException e) {
            throw e.error();
        }
    }

    private S3Response listUploads(S3Request r) {
        buckets.requireBucket(r.bucket());
        return multipart.listUploads(r);
    }

    private void fail(S3Exchange exchange, S3Request request, S3Exception error) {
        if (error.status() >= 500) {
            LOG.warn("S3 request {} {}: {} {}", exchange.requestId(), exchange.head().uri(), error.code(), error.getMessage());
        } else {
            LOG.debug("S3 request {} {}: {} {}", exchange.requestId(), exchange.head().uri(), error.code(), error.getMessage());
        }
        if (exchange.responded()) {
            return;
        }
        String resource = request == null ? exchange.head().uri() : request.resource();
        S3Response response;
        if (exchange.head().method().name().equals("HEAD")) {
            // HEAD has no body: the status and the code header are all a client gets.
            response = S3Response.head(error.status(), 0);
        } else {
            response = S3Response.xml(error.status(), Xml.Writer.plain("Error")
                .element("Code", error.code())
                .element("Message", error.getMessage())
                .element("Resource", resource)
                .element("RequestId", exchange.requestId())
                .toBytes());
        }
        response.header("x-amz-error-code", error.code());
        if (error.status() == 503) {
            response.header("Retry-After", "1");
        }
        try {
            exchange.send(response);
        } catch (IOException | RuntimeException e) {
            LOG.debug("S3 request {}: could not send the error: {}", exchange.requestId(), e.toString());
        }
    }
}
