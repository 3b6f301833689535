package dev.kelp.agent.http;

import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;

/** One page of versions; pass {@code nextCursor} back as {@code cursor} for the next. */
@Serdeable
@Schema(description = "A page of versions: key order, newest first within a key")
public record VersionListing(
    String bucket,
    @Schema(description = "The prefix listed (listing by prefix)", nullable = true) String prefix,
    @Schema(description = "The key listed (listing one key)", nullable = true) String key,
    List<VersionInfo> versions,
    @Schema(description = "Opaque cursor for the next page; absent on the last page", nullable = true) String nextCursor) {
}
