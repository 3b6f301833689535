package dev.kelp.agent.http;

import dev.kelp.agent.multipart.UploadManifest;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** One open multipart upload with its parts: what a client that died needs to resume. */
@Serdeable
@Schema(description = "An open multipart upload and the parts it holds")
public record UploadInfo(
    String uploadId,
    String bucket,
    String key,
    @Schema(description = "Media type the object will have") String contentType,
    @Schema(description = "User metadata the object will have") Map<String, String> metadata,
    Instant initiatedAt,
    @Schema(description = "When the agent reclaims the upload if it is not completed by then") Instant expiresAt,
    @Schema(description = "Bytes in all parts held") long size,
    @Schema(description = "Parts held, in part-number order") List<PartView> parts) {

    static UploadInfo of(UploadManifest upload, Duration maxAge) {
        return new UploadInfo(upload.uploadId(), upload.bucket(), upload.key(), upload.contentType(), upload.userMetadata(),
            upload.initiatedAt(), upload.expiresAt(maxAge), upload.totalSize(), upload.parts().stream().map(PartView::of).toList());
    }
}
