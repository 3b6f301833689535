package dev.kelp.agent.metadata;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Embeddable;
import io.micronaut.data.annotation.EmbeddedId;
import io.micronaut.data.annotation.MappedEntity;
import io.micronaut.data.annotation.MappedProperty;
import java.time.Instant;

/** A row of {@code blobs}: stored bytes shared by every version with the same content in a bucket. */
@MappedEntity("blobs")
record BlobRow(@EmbeddedId BlobId id, long size, long refCount, @Nullable Instant unreferencedSince) {

    @Embeddable
    record BlobId(@MappedProperty("bucket") String bucket, @MappedProperty("hash") String hash) {
    }
}
