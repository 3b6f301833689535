package dev.kelp.agent.s3;

/** An S3 error: the status and code an S3 client matches on, and a message for people. */
final class S3Exception extends RuntimeException {

    private final int status;
    private final String code;

    S3Exception(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    int status() {
        return status;
    }

    String code() {
        return code;
    }

    static S3Exception accessDenied(String message) {
        return new S3Exception(403, "AccessDenied", message);
    }

    static S3Exception invalidArgument(String message) {
        return new S3Exception(400, "InvalidArgument", message);
    }

    static S3Exception signatureDoesNotMatch(String message) {
        return new S3Exception(403, "SignatureDoesNotMatch", message);
    }

    static S3Exception invalidRequest(String message) {
        return new S3Exception(400, "InvalidRequest", message);
    }

    static S3Exception malformedXml(String message) {
        return new S3Exception(400, "MalformedXML", message);
    }

    static S3Exception notImplemented(String what) {
        return new S3Exception(501, "NotImplemented", what + " is not supported by the Kelp agent's S3 endpoint (docs/s3.md)");
    }
}
