package dev.kelp.agent.metadata;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.GeneratedValue;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import java.time.Instant;

/** A row of {@code object_versions}; {@code userMetadata} is the client's metadata as a JSON object. */
@MappedEntity("object_versions")
record ObjectVersionRow(
    @Id @GeneratedValue @Nullable Long id,
    String bucket,
    String objectKey,
    String hash,
    long size,
    @Nullable String contentType,
    String userMetadata,
    Instant createdAt) {
}
