package dev.kelp.agent.metadata;

import dev.kelp.agent.object.ObjectRecord;
import java.time.Instant;

/** The metadata store on the database itself: what the local journal is replayed into. */
interface ReplayTarget extends MetadataStore {

    /** Throws {@link MetadataUnavailableException} unless the database answers. */
    void ping();

    /**
     * {@link #put}, for a record whose version id nobody has tried to store before (its first
     * attempt): skips the look-up that makes a repeated put of the same version a no-op, one
     * database round trip of each write's few.
     */
    default PutOutcome putNew(ObjectRecord record, WriteLimits limits) {
        return put(record, limits);
    }

    /** Applies one journaled write exactly once; false when an earlier replay already had. */
    boolean apply(JournalEntry entry);

    /** Forgets which journal entries were applied before {@code before}: their files are long gone. */
    int forgetAppliedBefore(Instant before);
}
