package dev.kelp.agent.http;

import dev.kelp.agent.object.ObjectRecord;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.Map;

/** What the API tells about one object (PUT result, list entry). */
@Serdeable
@Schema(description = "One stored object")
public record ObjectInfo(
    @Schema(description = "Bucket the object is in") String bucket,
    @Schema(description = "Object key") String key,
    @Schema(description = "Content length in bytes") long size,
    @Schema(description = "SHA-256 of the content, hex; also the ETag") String sha256,
    @Schema(description = "Media type declared on upload") String contentType,
    @Schema(description = "When the agent acknowledged the write") Instant lastModified,
    @Schema(description = "The database's order of this object's versions, increasing; 0 while the write waits in the local journal (LOCAL_ONLY). Kept for older clients: name a version by `version`") long versionId,
    @Schema(description = "User metadata (x-kelp-meta-* headers, without the prefix)") Map<String, String> metadata,
    @Schema(description = "Version id (a version 7 UUID the agent gives every write, also the x-kelp-version-id header): pass it as `versionId` to read, delete or roll back to this version") String version) {

    static ObjectInfo of(ObjectRecord r) {
        return new ObjectInfo(r.bucket(), r.key(), r.size(), r.hash().hex(), r.contentType(), r.createdAt(), r.versionId(),
            r.userMetadata(), r.version());
    }
}
