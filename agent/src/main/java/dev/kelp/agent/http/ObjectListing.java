package dev.kelp.agent.http;

import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;

/** One page of a listing; pass {@code nextCursor} back as {@code cursor} for the next. */
@Serdeable
@Schema(description = "A page of objects in key order")
public record ObjectListing(
    String bucket,
    String prefix,
    List<ObjectInfo> objects,
    @Schema(description = "Opaque cursor for the next page; absent on the last page", nullable = true) String nextCursor) {
}
