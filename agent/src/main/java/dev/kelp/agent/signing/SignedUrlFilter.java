package dev.kelp.agent.signing;

import dev.kelp.agent.http.ErrorBody;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import java.net.URI;
import java.net.URISyntaxException;

/**
 * Checks agent-signed URLs on the object API. A request that carries a signature is served
 * only if the signature is genuine, unexpired and made for this method, bucket and key, API
 * token or not; a request without one is left to the other rules.
 */
@ServerFilter("/v1/objects/**")
public class SignedUrlFilter {

    private static final String OBJECTS = "/v1/objects/";

    private final UrlSigner signer;

    SignedUrlFilter(UrlSigner signer) {
        this.signer = signer;
    }

    /**
     * True when the request claims to be a signed object URL: the API token check then stands
     * aside, because this filter decides. Only object paths count, so a signature parameter
     * on any other path gets no one past the token.
     */
    public static boolean isSigned(HttpRequest<?> request) {
        return request.getPath().startsWith(OBJECTS) && request.getParameters().contains(SignedUrlParameters.SIGNATURE);
    }

    @RequestFilter
    @Nullable
    HttpResponse<ErrorBody> check(HttpRequest<?> request) {
        if (!isSigned(request)) {
            return null;
        }
        String method = request.getMethodName();
        if (!method.equals("GET") && !method.equals("HEAD") && !method.equals("PUT")) {
            return refuse(request, HttpStatus.FORBIDDEN, "AccessDenied", "a signed URL allows GET, HEAD or PUT, not " + method);
        }
        String path = decodedPath(request);
        int slash = path == null || !path.startsWith(OBJECTS) ? -1 : path.indexOf('/', OBJECTS.length());
        if (slash < 0) {
            return refuse(request, HttpStatus.BAD_REQUEST, "InvalidArgument", "a signed URL names one object: /v1/objects/<bucket>/<key>");
        }
        String bucket = path.substring(OBJECTS.length(), slash);
        String key = path.substring(slash + 1);
        long expires;
        try {
            expires = Long.parseLong(request.getParameters().get(SignedUrlParameters.EXPIRES));
        } catch (NumberFormatException | NullPointerException e) {
            return refuse(request, HttpStatus.BAD_REQUEST, "InvalidArgument",
                "a signed URL needs " + SignedUrlParameters.EXPIRES + " (seconds since the epoch)");
        }
        String signature = request.getParameters().get(SignedUrlParameters.SIGNATURE);
        return switch (signer.verify(SignedUrlParameters.signedMethod(method), bucket, key, expires, signature)) {
            case VALID -> null;
            case EXPIRED -> refuse(request, HttpStatus.FORBIDDEN, "ExpiredSignature",
                "this signed URL expired at " + java.time.Instant.ofEpochSecond(expires) + "; ask for a new one");
            case MISMATCH -> refuse(request, HttpStatus.FORBIDDEN, "SignatureDoesNotMatch",
                "the signature does not match this method, bucket, key and expiry");
        };
    }

    @Nullable
    private static String decodedPath(HttpRequest<?> request) {
        try {
            return new URI(request.getUri().getRawPath()).getPath();
        } catch (URISyntaxException e) {
            return null;
        }
    }

    private static HttpResponse<ErrorBody> refuse(HttpRequest<?> request, HttpStatus status, String code, String message) {
        var response = HttpResponse.<ErrorBody>status(status).body(new ErrorBody(code, message));
        if (request.getMethodName().equals("PUT")) {
            // The body is never read: do not leave it on a kept-alive connection (see UnreadBody).
            response.header(HttpHeaders.CONNECTION, "close");
        }
        return response;
    }
}
