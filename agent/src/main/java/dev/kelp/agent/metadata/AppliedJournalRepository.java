package dev.kelp.agent.metadata;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.GenericRepository;
import java.time.Instant;
import java.util.UUID;

@JdbcRepository(dialect = Dialect.POSTGRES)
interface AppliedJournalRepository extends GenericRepository<AppliedJournalRow, UUID> {

    boolean existsById(UUID entryId);

    /** 1 the first time an entry is marked applied, 0 every later time. */
    @Query("INSERT INTO applied_journal (entry_id, applied_at) VALUES (:entryId, :appliedAt) ON CONFLICT DO NOTHING")
    int insertIfAbsent(UUID entryId, Instant appliedAt);

    @Query("DELETE FROM applied_journal WHERE applied_at < :before")
    int deleteAppliedBefore(Instant before);
}
