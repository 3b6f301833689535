package dev.kelp.agent.metadata;

import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;

/** A bucket's usage, its {@code bucket_usage} rows summed: bytes and number of the current versions in it. */
@MappedEntity("bucket_usage")
record BucketUsageRow(@Id String bucket, long bytes, long objects) {
}
