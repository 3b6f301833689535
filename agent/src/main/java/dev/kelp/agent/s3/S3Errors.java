package dev.kelp.agent.s3;

import dev.kelp.agent.object.KelpException;

/**
 * The engine's refusals as S3 errors (the table in docs/s3.md). Most engine codes already are
 * S3's; the rest get the closest S3 code, chosen so that a client's retry logic does the right
 * thing: a full fallback volume is 503 SlowDown (it drains; retrying later works), a quota is
 * 403 QuotaExceeded (retrying cannot help, so it must not look like a 5xx).
 */
final class S3Errors {

    private S3Errors() {
    }

    static S3Exception of(KelpException e) {
        String message = e.getMessage();
        return switch (e.code()) {
            case "EntityTooLarge" -> new S3Exception(400, "EntityTooLarge", message);
            case "InvalidKey" -> message.startsWith("bucket name") ? new S3Exception(400, "InvalidBucketName", message)
                : message.contains("longer than") ? new S3Exception(400, "KeyTooLongError", message)
                : new S3Exception(400, "InvalidArgument", "invalid object key: " + message);
            case "UnsupportedContentType" -> new S3Exception(400, "InvalidArgument", message);
            case "QuotaExceeded" -> new S3Exception(403, "QuotaExceeded", message);
            case "InsufficientStorage" -> new S3Exception(503, "SlowDown", "the agent's fallback volume is full until it syncs: " + message);
            case "ServiceUnavailable" -> new S3Exception(503, "ServiceUnavailable", message);
            case "MalformedRequest" -> new S3Exception(400, "MalformedXML", message);
            // S3's answer to reading (or tagging) a delete marker by its version id.
            case "DeleteMarker" -> new S3Exception(e.status(), e.status() == 405 ? "MethodNotAllowed" : "InvalidRequest", message);
            case "BlobMissing", "BlobCorrupt", "PartDamaged" -> new S3Exception(500, "InternalError", message);
            default -> new S3Exception(e.status(), e.code(), message);
        };
    }
}
