package dev.kelp.agent.http;

import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;

/** The open uploads of a bucket (or of all buckets), oldest first. */
@Serdeable
@Schema(description = "Open multipart uploads, oldest first")
public record UploadListing(
    @Schema(description = "The bucket asked for; absent when all were", nullable = true) String bucket,
    List<UploadSummary> uploads) {
}
