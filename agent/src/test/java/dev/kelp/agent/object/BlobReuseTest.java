package dev.kelp.agent.object;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class BlobReuseTest {

    @Test
    void aLiveBlobWhoseBytesAreThereIsReusedAndStoredAgainOnlyIfReclaimedMeanwhile() {
        var reuse = new BlobReuse(OptionalLong.of(3), true);
        assertThat(reuse.skipsStoring()).isTrue();
        assertThat(reuse.storesAgain(false)).isFalse();
        assertThat(reuse.storesAgain(true)).isTrue();
    }

    @Test
    void aLiveBlobWhoseBytesAreMissingIsStored() {
        var reuse = new BlobReuse(OptionalLong.of(1), false);
        assertThat(reuse.skipsStoring()).isFalse();
        assertThat(reuse.storesAgain(false)).isFalse();
    }

    @Test
    void newContentIsStoredOnce() {
        var reuse = new BlobReuse(OptionalLong.empty(), false);
        assertThat(reuse.skipsStoring()).isFalse();
        assertThat(reuse.storesAgain(true)).as("a new row for new content is the normal case").isFalse();
    }

    @Test
    void contentWaitingForTheReclaimerIsStoredAndStoredAgainWhenTheReclaimerWon() {
        // The reclaimer may delete the bytes this write just stored, then the row; the write's
        // transaction then makes a new row, and only storing again keeps the acknowledged write.
        var reuse = new BlobReuse(OptionalLong.of(0), false);
        assertThat(reuse.skipsStoring()).isFalse();
        assertThat(reuse.storesAgain(true)).isTrue();
        assertThat(reuse.storesAgain(false)).as("the write's reference came first: the reclaimer leaves it").isFalse();
    }
}
