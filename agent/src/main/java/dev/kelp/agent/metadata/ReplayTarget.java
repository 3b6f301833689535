package dev.kelp.agent.metadata;

import java.time.Instant;

/** The metadata store on the database itself: what the local journal is replayed into. */
interface ReplayTarget extends MetadataStore {

    /** Throws {@link MetadataUnavailableException} unless the database answers. */
    void ping();

    /** Applies one journaled write exactly once; false when an earlier replay already had. */
    boolean apply(JournalEntry entry);

    /** Forgets which journal entries were applied before {@code before}: their files are long gone. */
    int forgetAppliedBefore(Instant before);
}
