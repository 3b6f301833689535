package dev.kelp.agent.http;

import dev.kelp.agent.object.ObjectVersion;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;

/** One version of a key in a version listing. */
@Serdeable
@Schema(description = "One version of an object: content, or a delete marker")
public record VersionInfo(
    @Schema(description = "Object key") String key,
    @Schema(description = "Version id") String version,
    @Schema(description = "True for the key's current version (which may be a delete marker)") boolean latest,
    @Schema(description = "True when this version records a delete: it has no content") boolean deleteMarker,
    @Schema(description = "When the agent acknowledged the write or delete") Instant lastModified,
    @Schema(description = "When a newer version replaced it; absent for the latest", nullable = true) Instant replacedAt,
    @Schema(description = "Content length in bytes (0 for a delete marker)") long size,
    @Schema(description = "SHA-256 of the content, hex; absent for a delete marker", nullable = true) String sha256,
    @Schema(description = "Media type declared on upload; absent for a delete marker", nullable = true) String contentType) {

    static VersionInfo of(ObjectVersion v) {
        var o = v.object();
        return new VersionInfo(v.key(), v.version(), v.latest(), v.deleteMarker(), v.createdAt(), v.replacedAt(),
            o == null ? 0 : o.size(), o == null ? null : o.hash().hex(), o == null ? null : o.contentType());
    }
}
