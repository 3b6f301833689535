package dev.kelp.agent.metadata;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.GenericRepository;
import java.util.List;
import java.util.Optional;

/**
 * Versions of objects ({@code object_versions}) and which one is current ({@code objects}).
 * The SQL is written once for PostgreSQL and H2 in PostgreSQL mode; see {@link MetadataDatabase}.
 */
@JdbcRepository(dialect = Dialect.POSTGRES)
interface ObjectRepository extends GenericRepository<ObjectVersionRow, Long> {

    ObjectVersionRow save(ObjectVersionRow row);

    Optional<ObjectVersionRow> findById(long id);

    void deleteById(long id);

    @Query("""
        SELECT v.* FROM objects o JOIN object_versions v ON v.id = o.version_id
        WHERE o.bucket = :bucket AND o.object_key = :key""")
    Optional<ObjectVersionRow> findCurrent(String bucket, String key);

    /** {@code keyPattern} is a LIKE pattern escaped with '!'; {@code startAfter} is exclusive ("" for the start). */
    @Query("""
        SELECT v.* FROM objects o JOIN object_versions v ON v.id = o.version_id
        WHERE o.bucket = :bucket AND o.object_key LIKE :keyPattern ESCAPE '!' AND o.object_key > :startAfter
        ORDER BY o.object_key
        LIMIT :limit""")
    List<ObjectVersionRow> findCurrentPage(String bucket, String keyPattern, String startAfter, int limit);

    /** 1 when the object had no current version and now has {@code versionId}; 0 when it has one. */
    @Query("INSERT INTO objects (bucket, object_key, version_id) VALUES (:bucket, :key, :versionId) ON CONFLICT DO NOTHING")
    int insertCurrentIfAbsent(String bucket, String key, long versionId);

    /** The current version id, with the object's row locked until the transaction ends. */
    @Query("SELECT version_id FROM objects WHERE bucket = :bucket AND object_key = :key FOR UPDATE")
    Optional<Long> findCurrentVersionIdForUpdate(String bucket, String key);

    @Query("UPDATE objects SET version_id = :versionId WHERE bucket = :bucket AND object_key = :key")
    int updateCurrentVersionId(String bucket, String key, long versionId);

    @Query("DELETE FROM objects WHERE bucket = :bucket AND object_key = :key")
    int deleteCurrent(String bucket, String key);
}
