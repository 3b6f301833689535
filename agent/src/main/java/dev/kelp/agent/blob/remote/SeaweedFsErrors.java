package dev.kelp.agent.blob.remote;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import java.net.SocketTimeoutException;
import java.util.Set;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * Sorts what SeaweedFS (or the way to it) threw into what the agent does about it. Only
 * {@link Kind#UNAVAILABLE} counts against the circuit breaker and is retried: a missing key,
 * a refused credential or a bad request come from a SeaweedFS that answers, so falling back
 * to local storage would not help.
 */
final class SeaweedFsErrors {

    /** The S3 error codes SeaweedFS (and S3) answer when our key or signature is not accepted. */
    private static final Set<String> CREDENTIAL_CODES =
        Set.of("InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied");

    enum Kind {
        /** The key or bucket is not there: a normal answer. */
        NOT_FOUND,
        /** SeaweedFS refuses our credentials: the agent cannot use it until someone fixes them. */
        CREDENTIALS,
        /** SeaweedFS answered but refused this request (4xx): the request's fault, not the server's. */
        REJECTED,
        /** No answer, a timeout, a broken connection or a 5xx: SeaweedFS is not healthy. */
        UNAVAILABLE
    }

    private SeaweedFsErrors() {
    }

    static Kind classify(Throwable error) {
        if (error instanceof NoSuchKeyException || error instanceof NoSuchBucketException) {
            return Kind.NOT_FOUND;
        }
        if (error instanceof AwsServiceException service) {
            int status = service.statusCode();
            String code = errorCode(service);
            if (CREDENTIAL_CODES.contains(code) || (status == 403 && code.isEmpty())) {
                // A HEAD request's 403 carries no body, hence no code: it can only be about who we are.
                return Kind.CREDENTIALS;
            }
            if (status == 404) {
                return Kind.NOT_FOUND;
            }
            if (status >= 400 && status < 500 && status != 408 && status != 429) {
                return Kind.REJECTED;
            }
            return Kind.UNAVAILABLE;
        }
        return Kind.UNAVAILABLE;
    }

    static boolean isFailure(Throwable error) {
        return !(error instanceof CallNotPermittedException) && classify(error) == Kind.UNAVAILABLE;
    }

    /** No answer in time: the server (or the way to it) hangs rather than refuses. */
    static boolean isTimeout(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ApiCallAttemptTimeoutException || t instanceof ApiCallTimeoutException
                || t instanceof SocketTimeoutException) {
                return true;
            }
        }
        return false;
    }

    static String errorCode(AwsServiceException service) {
        var details = service.awsErrorDetails();
        String code = details == null ? null : details.errorCode();
        return code == null ? "" : code;
    }

    /** One short line for people: what went wrong, without the SDK's stack of wrappers. */
    static String describe(Throwable error) {
        if (isTimeout(error)) {
            return "no answer in time";
        }
        if (error instanceof AwsServiceException service) {
            String code = errorCode(service);
            return "HTTP " + service.statusCode() + (code.isEmpty() ? "" : " " + code);
        }
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        if (message == null || message.isBlank()) {
            return root.getClass().getSimpleName();
        }
        // "Connect to 127.0.0.1:8333 [/127.0.0.1] failed: Connection refused" -> "Connection refused"
        int colon = message.lastIndexOf(": ");
        return colon >= 0 && colon + 2 < message.length() ? message.substring(colon + 2) : message;
    }
}
