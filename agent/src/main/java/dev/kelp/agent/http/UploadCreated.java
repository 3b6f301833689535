package dev.kelp.agent.http;

import dev.kelp.agent.multipart.UploadManifest;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.media.Schema;

/** The answer to initiating a multipart upload: the id every later request names. */
@Serdeable
@Schema(description = "A multipart upload just initiated")
public record UploadCreated(
    @Schema(description = "Id of the upload: mpu_ and 32 hex digits") String uploadId,
    @Schema(description = "Bucket the object will be stored in") String bucket,
    @Schema(description = "Key the object will be stored under") String key) {

    static UploadCreated of(UploadManifest upload) {
        return new UploadCreated(upload.uploadId(), upload.bucket(), upload.key());
    }
}
