package dev.kelp.agent.http;

import dev.kelp.agent.multipart.UploadManifest;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Duration;
import java.time.Instant;

/** One open upload in a listing; GET /v1/uploads/{uploadId} has its parts. */
@Serdeable
@Schema(description = "An open multipart upload, without its parts")
public record UploadSummary(
    String uploadId,
    String bucket,
    String key,
    Instant initiatedAt,
    Instant expiresAt,
    @Schema(description = "Number of parts held") int parts,
    @Schema(description = "Bytes in all parts held") long size) {

    static UploadSummary of(UploadManifest upload, Duration maxAge) {
        return new UploadSummary(upload.uploadId(), upload.bucket(), upload.key(), upload.initiatedAt(),
            upload.expiresAt(maxAge), upload.parts().size(), upload.totalSize());
    }
}
