package dev.kelp.agent.metadata;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Which of a bucket's usage rows a write adds to. Usage is kept in {@link #COUNT} rows per bucket
 * (and per bucket and owner) so that concurrent writers of one bucket do not all wait on one row
 * lock until the writer before them has committed. A write checked against a quota takes
 * {@link #CHECKED}, the same row for every such write, so those still take turns and each reads
 * an exact sum.
 */
final class UsageShards {

    static final int COUNT = 16;
    static final int CHECKED = 0;

    private UsageShards() {
    }

    /** @param checked the write is checked against a quota inside its transaction */
    static int forWrite(boolean checked) {
        return checked ? CHECKED : ThreadLocalRandom.current().nextInt(COUNT);
    }
}
