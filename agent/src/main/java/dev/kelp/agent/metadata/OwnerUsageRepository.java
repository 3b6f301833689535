package dev.kelp.agent.metadata;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.GenericRepository;
import java.util.Optional;

/** Usage per bucket and owner, kept in step with {@code bucket_usage} by the same transactions. */
@JdbcRepository(dialect = Dialect.POSTGRES)
interface OwnerUsageRepository extends GenericRepository<OwnerUsageRow, OwnerUsageRow.OwnerUsageId> {

    @Query("SELECT * FROM owner_usage WHERE bucket = :bucket AND owner = :owner")
    Optional<OwnerUsageRow> find(String bucket, String owner);

    @Query("UPDATE owner_usage SET bytes = bytes + :bytes, objects = objects + :objects WHERE bucket = :bucket AND owner = :owner")
    int updateAdd(String bucket, String owner, long bytes, long objects);

    @Query("INSERT INTO owner_usage (bucket, owner, bytes, objects) VALUES (:bucket, :owner, :bytes, :objects) ON CONFLICT DO NOTHING")
    int insertIfAbsent(String bucket, String owner, long bytes, long objects);
}
