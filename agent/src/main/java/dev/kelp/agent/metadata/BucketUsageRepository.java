package dev.kelp.agent.metadata;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.GenericRepository;
import java.util.Optional;

@JdbcRepository(dialect = Dialect.POSTGRES)
interface BucketUsageRepository extends GenericRepository<BucketUsageRow, String> {

    Optional<BucketUsageRow> findById(String bucket);

    @Query("UPDATE bucket_usage SET bytes = bytes + :bytes, objects = objects + :objects WHERE bucket = :bucket")
    int updateAdd(String bucket, long bytes, long objects);

    @Query("INSERT INTO bucket_usage (bucket, bytes, objects) VALUES (:bucket, :bytes, :objects) ON CONFLICT DO NOTHING")
    int insertIfAbsent(String bucket, long bytes, long objects);
}
