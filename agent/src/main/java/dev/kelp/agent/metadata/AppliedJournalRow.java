package dev.kelp.agent.metadata;

import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import java.time.Instant;
import java.util.UUID;

/** A row of {@code applied_journal}: this journal entry's change is in the database. */
@MappedEntity("applied_journal")
record AppliedJournalRow(@Id UUID entryId, Instant appliedAt) {
}
