package dev.kelp.agent.metadata;

import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;

/** A row of {@code bucket_usage}: bytes and number of the current versions in a bucket. */
@MappedEntity("bucket_usage")
record BucketUsageRow(@Id String bucket, long bytes, long objects) {
}
