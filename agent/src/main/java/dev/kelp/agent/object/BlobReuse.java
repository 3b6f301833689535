package dev.kelp.agent.object;

import java.util.OptionalLong;

/**
 * What a write does with bytes the bucket may already hold, decided from the blob row's
 * references before the write and checked against the metadata transaction's outcome after.
 *
 * <p>The reclaimer deletes the bytes of a row with no references while holding that row, then
 * the row; a write's transaction waits for it and then makes a new row. So a new row after the
 * write means the bytes may be gone: when the write skipped storing them (a live row, dedup),
 * and equally when it stored them while the row had no references, since the reclaimer may have
 * deleted them right after. Either way the write stores them again before it is acknowledged.
 *
 * @param references the row's references before the write; empty: no row (unknown counts as none)
 */
record BlobReuse(OptionalLong references, boolean bytesPresent) {

    /** Whether the write may skip storing the bytes: a live row whose bytes a store holds. */
    boolean skipsStoring() {
        return references.orElse(0) > 0 && bytesPresent;
    }

    /** Whether the write must store the bytes (again) after its transaction made the blob row anew. */
    boolean storesAgain(boolean blobCreated) {
        return blobCreated && (skipsStoring() || references.isPresent() && references.getAsLong() == 0);
    }
}
