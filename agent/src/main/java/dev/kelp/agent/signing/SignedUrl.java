package dev.kelp.agent.signing;

import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;

/** A URL that needs no other credentials until {@code expiresAt}. */
@Serdeable
@Schema(description = "A signed URL")
public record SignedUrl(
    @Schema(description = "The URL to use as is") String url,
    @Schema(description = "The method it allows") String method,
    @Schema(description = "When it stops working") Instant expiresAt,
    @Schema(description = "seaweedfs: an S3 presigned URL straight to SeaweedFS (FULL mode, object already there); agent: served by this agent, HMAC-SHA256")
    String signedBy) {
}
