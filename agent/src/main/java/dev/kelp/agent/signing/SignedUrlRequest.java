package dev.kelp.agent.signing;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.media.Schema;

/** What a caller wants a URL for. */
@Serdeable
@Schema(description = "Asks for a URL that reads (GET) or writes (PUT) one object until it expires")
public record SignedUrlRequest(
    @Schema(description = "Bucket of the object") String bucket,
    @Schema(description = "Key of the object") String key,
    @Schema(description = "GET (also allows HEAD) or PUT", defaultValue = "GET", nullable = true) @Nullable String method,
    @Schema(description = "Seconds the URL stays valid; default kelp.signed-urls.default-ttl, at most max-ttl", nullable = true)
    @Nullable Long expiresInSeconds) {
}
