package dev.kelp.agent.metadata;

import io.micronaut.data.annotation.Embeddable;
import io.micronaut.data.annotation.EmbeddedId;
import io.micronaut.data.annotation.MappedEntity;
import io.micronaut.data.annotation.MappedProperty;

/** What one owner holds in one bucket, its {@code owner_usage} rows summed, for per-owner quotas. */
@MappedEntity("owner_usage")
record OwnerUsageRow(@EmbeddedId OwnerUsageId id, long bytes, long objects) {

    @Embeddable
    record OwnerUsageId(@MappedProperty("bucket") String bucket, @MappedProperty("owner") String owner) {
    }
}
