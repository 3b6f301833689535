package dev.kelp.agent.object;

/** A request the agent refuses for a reason of its own (unknown bucket, content type, quota, precondition). */
public final class RequestRefusedException extends KelpException {

    private RequestRefusedException(int status, String code, String message) {
        super(status, code, message);
    }

    public static RequestRefusedException unknownBucket(String bucket) {
        return new RequestRefusedException(404, "NoSuchBucket", "bucket " + bucket + " is not configured for this agent");
    }

    public static RequestRefusedException contentType(String contentType, java.util.List<String> allowed) {
        return new RequestRefusedException(415, "UnsupportedContentType",
            "content type " + contentType + " is not allowed here; allowed: " + String.join(", ", allowed));
    }

    public static RequestRefusedException tooLarge(long size, long max) {
        return new RequestRefusedException(413, "EntityTooLarge", "body of " + size + " bytes exceeds the limit of " + max + " bytes");
    }

    public static RequestRefusedException quota(String bucket, String what) {
        return new RequestRefusedException(507, "QuotaExceeded", "bucket " + bucket + " quota exceeded: " + what);
    }

    /** An owner's quota (docs/access-control.md): same status and code as a bucket's, so clients handle both alike. */
    public static RequestRefusedException ownerQuota(String owner, String what) {
        return new RequestRefusedException(507, "QuotaExceeded", "owner " + owner + " quota exceeded: " + what + "; nothing was stored");
    }

    public static RequestRefusedException preconditionFailed(String what) {
        return new RequestRefusedException(412, "PreconditionFailed", what);
    }

    public static RequestRefusedException unavailable(String what) {
        return new RequestRefusedException(503, "ServiceUnavailable", what);
    }
}
