package dev.kelp.agent.metadata;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.GenericRepository;
import java.util.Optional;

/** A bucket's usage: the sum of its shards' rows (V10__usage_shards.sql, {@link UsageShards}). */
@JdbcRepository(dialect = Dialect.POSTGRES)
interface BucketUsageRepository extends GenericRepository<BucketUsageRow, String> {

    @Query("SELECT bucket, SUM(bytes) AS bytes, SUM(objects) AS objects FROM bucket_usage WHERE bucket = :bucket GROUP BY bucket")
    Optional<BucketUsageRow> findById(String bucket);

    @Query("UPDATE bucket_usage SET bytes = bytes + :bytes, objects = objects + :objects WHERE bucket = :bucket AND shard = :shard")
    int updateAdd(String bucket, int shard, long bytes, long objects);

    @Query("INSERT INTO bucket_usage (bucket, shard, bytes, objects) VALUES (:bucket, :shard, :bytes, :objects) ON CONFLICT DO NOTHING")
    int insertIfAbsent(String bucket, int shard, long bytes, long objects);
}
