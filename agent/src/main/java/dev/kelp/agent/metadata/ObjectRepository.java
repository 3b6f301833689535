package dev.kelp.agent.metadata;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.GenericRepository;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Versions of objects ({@code object_versions}) and which one is current ({@code objects}).
 * The SQL is written once for PostgreSQL and H2 in PostgreSQL mode; see {@link MetadataDatabase}.
 * "Current" may be a delete marker: {@link #findCurrent} and {@link #findCurrentPage} leave
 * those out (the object is deleted), {@link #findLatest} does not.
 */
@JdbcRepository(dialect = Dialect.POSTGRES)
interface ObjectRepository extends GenericRepository<ObjectVersionRow, Long> {

    ObjectVersionRow save(ObjectVersionRow row);

    Optional<ObjectVersionRow> findById(long id);

    void deleteById(long id);

    @Query("""
        SELECT v.* FROM objects o JOIN object_versions v ON v.id = o.version_id
        WHERE o.bucket = :bucket AND o.object_key = :key AND v.delete_marker = FALSE""")
    Optional<ObjectVersionRow> findCurrent(String bucket, String key);

    @Query("""
        SELECT v.* FROM objects o JOIN object_versions v ON v.id = o.version_id
        WHERE o.bucket = :bucket AND o.object_key = :key""")
    Optional<ObjectVersionRow> findLatest(String bucket, String key);

    /** {@code keyPattern} is a LIKE pattern escaped with '!'; {@code startAfter} is exclusive ("" for the start). */
    @Query("""
        SELECT v.* FROM objects o JOIN object_versions v ON v.id = o.version_id
        WHERE o.bucket = :bucket AND o.object_key LIKE :keyPattern ESCAPE '!' AND o.object_key > :startAfter
            AND v.delete_marker = FALSE
        ORDER BY o.object_key
        LIMIT :limit""")
    List<ObjectVersionRow> findCurrentPage(String bucket, String keyPattern, String startAfter, int limit);

    /** As {@link #findCurrentPage}, only the current versions {@code owner} wrote. */
    @Query("""
        SELECT v.* FROM objects o JOIN object_versions v ON v.id = o.version_id
        WHERE o.bucket = :bucket AND o.object_key LIKE :keyPattern ESCAPE '!' AND o.object_key > :startAfter
            AND v.delete_marker = FALSE AND v.owner = :owner
        ORDER BY o.object_key
        LIMIT :limit""")
    List<ObjectVersionRow> findCurrentPageOfOwner(String bucket, String keyPattern, String startAfter, String owner, int limit);

    @Query("SELECT * FROM object_versions WHERE bucket = :bucket AND object_key = :key AND version = :version")
    Optional<ObjectVersionRow> findByVersion(String bucket, String key, String version);

    /** The key's earlier versions, newest first. */
    @Query("""
        SELECT * FROM object_versions
        WHERE bucket = :bucket AND object_key = :key AND replaced_at IS NOT NULL
        ORDER BY id DESC""")
    List<ObjectVersionRow> findNoncurrent(String bucket, String key);

    /**
     * Versions of the keys matching {@code keyPattern}, in key order and newest first within a
     * key, after the version ({@code afterKey}, {@code afterId}); ("", 0) for the start, where
     * {@code afterId} 0 with a key means "after every version of that key".
     */
    @Query("""
        SELECT * FROM object_versions
        WHERE bucket = :bucket AND object_key LIKE :keyPattern ESCAPE '!'
            AND (object_key > :afterKey OR (object_key = :afterKey AND id < :afterId))
        ORDER BY object_key, id DESC
        LIMIT :limit""")
    List<ObjectVersionRow> findVersionPage(String bucket, String keyPattern, String afterKey, long afterId, int limit);

    /** Versions of exactly one key, newest first, older than {@code beforeId}. */
    @Query("""
        SELECT * FROM object_versions
        WHERE bucket = :bucket AND object_key = :key AND id < :beforeId
        ORDER BY id DESC
        LIMIT :limit""")
    List<ObjectVersionRow> findVersionsOfKey(String bucket, String key, long beforeId, int limit);

    /** Earlier versions replaced before {@code cutoff}, oldest first: what keep-for removes. */
    @Query("""
        SELECT * FROM object_versions WHERE replaced_at < :cutoff
        ORDER BY replaced_at, id
        LIMIT :limit""")
    List<ObjectVersionRow> findReplacedBefore(Instant cutoff, int limit);

    @Query("UPDATE object_versions SET replaced_at = :replacedAt WHERE id = :id")
    int updateReplacedAt(long id, Instant replacedAt);

    /** Replaces the tag set of one version with content (not a delete marker); 0 when there is none. */
    @Query("""
        UPDATE object_versions SET tags = :tags
        WHERE bucket = :bucket AND object_key = :key AND version = :version AND delete_marker = FALSE""")
    int updateTags(String bucket, String key, String version, @io.micronaut.core.annotation.Nullable String tags);

    @Query("UPDATE object_versions SET replaced_at = NULL WHERE id = :id")
    int clearReplacedAt(long id);

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
