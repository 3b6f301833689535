package dev.kelp.agent.multipart;

import dev.kelp.agent.object.KelpException;

/** A multipart request the agent refuses, with the S3 error code an S3 client would expect. */
public final class UploadRefusedException extends KelpException {

    private UploadRefusedException(int status, String code, String message) {
        super(status, code, message);
    }

    public static UploadRefusedException noSuchUpload(String uploadId) {
        return new UploadRefusedException(404, "NoSuchUpload",
            "upload " + uploadId + " does not exist: it was never initiated, or it was completed, aborted or expired");
    }

    public static UploadRefusedException invalidPartNumber(String partNumber) {
        return new UploadRefusedException(400, "InvalidArgument",
            "part number must be an integer between 1 and " + UploadManifest.MAX_PARTS + ", not " + partNumber);
    }

    public static UploadRefusedException invalidPart(String what) {
        return new UploadRefusedException(400, "InvalidPart", what);
    }

    public static UploadRefusedException invalidPartOrder(String what) {
        return new UploadRefusedException(400, "InvalidPartOrder", what);
    }

    public static UploadRefusedException malformed(String what) {
        return new UploadRefusedException(400, "MalformedRequest", what);
    }
}
