package dev.kelp.agent.s3;

import java.io.IOException;

/**
 * A request body that failed a check of the S3 door while it streamed (a chunk signature, a
 * Content-MD5, an x-amz-checksum trailer). Thrown as an {@link IOException} from the body's
 * last read, before end of stream, so the engine's staging discards it and stores nothing.
 */
final class S3BodyException extends IOException {

    private final transient S3Exception error;

    S3BodyException(int status, String code, String message) {
        super(message);
        this.error = new S3Exception(status, code, message);
    }

    S3Exception error() {
        return error;
    }
}
