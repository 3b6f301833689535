package dev.kelp.agent.metadata;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.GenericRepository;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Blobs and their reference counts. */
@JdbcRepository(dialect = Dialect.POSTGRES)
interface BlobRepository extends GenericRepository<BlobRow, BlobRow.BlobId> {

    /** 1 when the blob row exists and now counts one more reference. */
    @Query("""
        UPDATE blobs SET ref_count = ref_count + 1, unreferenced_since = NULL
        WHERE bucket = :bucket AND hash = :hash""")
    int updateAddReference(String bucket, String hash);

    /** 1 when there was no row and one now exists with a single reference. */
    @Query("""
        INSERT INTO blobs (bucket, hash, size, ref_count, unreferenced_since) VALUES (:bucket, :hash, :size, 1, NULL)
        ON CONFLICT DO NOTHING""")
    int insertReferencedIfAbsent(String bucket, String hash, long size);

    /** A row for stored bytes nothing refers to, waiting for reclamation from {@code now}; none if the blob has a row. */
    @Query("""
        INSERT INTO blobs (bucket, hash, size, ref_count, unreferenced_since) VALUES (:bucket, :hash, :size, 0, :now)
        ON CONFLICT DO NOTHING""")
    int insertUnreferencedIfAbsent(String bucket, String hash, long size, Instant now);

    /** Drops one reference; the last one dropped starts the blob's wait for reclamation at {@code now}. */
    @Query("""
        UPDATE blobs SET ref_count = ref_count - 1,
            unreferenced_since = CASE WHEN ref_count = 1 THEN :now ELSE unreferenced_since END
        WHERE bucket = :bucket AND hash = :hash AND ref_count > 0""")
    int updateDropReference(String bucket, String hash, Instant now);

    @Query("SELECT ref_count FROM blobs WHERE bucket = :bucket AND hash = :hash")
    Optional<Long> findRefCount(String bucket, String hash);

    @Query("SELECT ref_count FROM blobs WHERE bucket = :bucket AND hash = :hash FOR UPDATE")
    Optional<Long> findRefCountForUpdate(String bucket, String hash);

    @Query("DELETE FROM blobs WHERE bucket = :bucket AND hash = :hash AND ref_count = 0")
    int deleteUnreferenced(String bucket, String hash);

    @Query("""
        SELECT * FROM blobs WHERE ref_count = 0
        ORDER BY unreferenced_since, bucket, hash
        LIMIT :limit""")
    List<BlobRow> findUnreferenced(int limit);

    @Query("""
        SELECT * FROM blobs WHERE ref_count = 0 AND unreferenced_since < :before
        ORDER BY unreferenced_since, bucket, hash
        LIMIT :limit""")
    List<BlobRow> findUnreferencedBefore(Instant before, int limit);
}
