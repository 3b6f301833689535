package dev.kelp.agent.metadata;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.GenericRepository;
import java.util.List;
import java.util.Optional;

/**
 * Usage per bucket and owner, kept in step with {@code bucket_usage} by the same transactions: the
 * sum of its shards' rows ({@link UsageShards}).
 */
@JdbcRepository(dialect = Dialect.POSTGRES)
interface OwnerUsageRepository extends GenericRepository<OwnerUsageRow, OwnerUsageRow.OwnerUsageId> {

    @Query("SELECT bucket, owner, SUM(bytes) AS bytes, SUM(objects) AS objects FROM owner_usage"
        + " WHERE bucket = :bucket AND owner = :owner GROUP BY bucket, owner")
    Optional<OwnerUsageRow> find(String bucket, String owner);

    /**
     * Locks the owner's usage rows in every bucket, so that writes of one owner with a quota in
     * different buckets take turns at the check: in bucket and shard order, the same in every
     * transaction, so that two never each hold a row the other waits for.
     */
    @Query("SELECT bucket FROM owner_usage WHERE owner = :owner AND bucket IN (:buckets) ORDER BY bucket, shard FOR UPDATE")
    List<String> lockOwner(String owner, List<String> buckets);

    /** The owner's bytes across {@code buckets}. */
    @Query("SELECT COALESCE(SUM(bytes), 0) FROM owner_usage WHERE owner = :owner AND bucket IN (:buckets)")
    long totalBytes(String owner, List<String> buckets);

    /** The owner's objects across {@code buckets}. */
    @Query("SELECT COALESCE(SUM(objects), 0) FROM owner_usage WHERE owner = :owner AND bucket IN (:buckets)")
    long totalObjects(String owner, List<String> buckets);

    @Query("UPDATE owner_usage SET bytes = bytes + :bytes, objects = objects + :objects"
        + " WHERE bucket = :bucket AND owner = :owner AND shard = :shard")
    int updateAdd(String bucket, String owner, int shard, long bytes, long objects);

    @Query("INSERT INTO owner_usage (bucket, owner, shard, bytes, objects) VALUES (:bucket, :owner, :shard, :bytes, :objects)"
        + " ON CONFLICT DO NOTHING")
    int insertIfAbsent(String bucket, String owner, int shard, long bytes, long objects);
}
