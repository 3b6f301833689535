package dev.kelp.agent.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.agent.metadata.TierMetadata.ColdBlob;
import dev.kelp.agent.object.ContentHash;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The hand-over between releasing a leftover hot copy and promoting a cold blob back, on a
 * database's real row locks: whichever comes second sees what the first did, so the
 * two can never leave a blob with neither copy. Run on the embedded H2 ({@link ColdRecordLocksTest})
 * and on the proving ground's PostgreSQL ({@link ColdRecordLocksPostgresIT}).
 */
abstract class ColdRecordLocksContract {

    protected abstract TierMetadata tiers();

    private ColdBlob recorded(String content) {
        var blob = new ColdBlob("locks", ContentHash.ofBytes(content.getBytes(StandardCharsets.UTF_8)), content.length(), "rule", null,
            "cold", "locks/blobs/" + content + ".m1", false, Instant.now().truncatedTo(ChronoUnit.MILLIS));
        tiers().recordCold(blob);
        return blob;
    }

    @Test
    void aPromotionThatComesWhileTheHotCopyIsBeingReleasedKeepsTheColdRecord() throws Exception {
        ColdBlob blob = recorded("released-first");
        var hot = new AtomicBoolean(true);
        var deleting = new CountDownLatch(1);
        var finish = new CountDownLatch(1);
        var release = CompletableFuture.supplyAsync(() -> tiers().releaseHot(blob, () -> {
            deleting.countDown();
            await(finish);
            hot.set(false);
        }));
        assertThat(deleting.await(10, TimeUnit.SECONDS)).isTrue();
        var promotion = CompletableFuture.supplyAsync(() -> tiers().forgetColdIfHot(blob, hot::get));
        Thread.sleep(300);
        assertThat(promotion).as("the promotion waits for the record's lock").isNotDone();
        finish.countDown();

        assertThat(release.get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(promotion.get(10, TimeUnit.SECONDS)).as("the hot copy it relied on is gone: the record stays").isFalse();
        assertThat(tiers().coldBlob(blob.bucket(), blob.hash())).isPresent();
        assertThat(tiers().unreleasedHotCopies(List.of("locks"), 100)).doesNotContain(blob);
    }

    @Test
    void aReleaseAfterAPromotionForgotTheRecordDeletesNothing() {
        ColdBlob blob = recorded("promoted-first");
        assertThat(tiers().forgetColdIfHot(blob, () -> true)).isTrue();
        var deleted = new AtomicBoolean();

        assertThat(tiers().releaseHot(blob, () -> deleted.set(true))).isFalse();
        assertThat(deleted).as("the promoted hot copy is left alone").isFalse();
        assertThat(tiers().coldBlob(blob.bucket(), blob.hash())).isEmpty();
    }

    @Test
    void aRecordedCopyWaitsForItsHotReleaseUntilOneSucceeds() {
        ColdBlob blob = recorded("left-behind");
        assertThat(tiers().unreleasedHotCopies(List.of("locks"), 100)).contains(blob);
        assertThat(tiers().orphanedColdBlobs(List.of("locks"), 100)).as("no blob row refers to it here").contains(blob);
        assertThat(tiers().unreleasedHotCopies(List.of(), 100)).isEmpty();
        try {
            tiers().releaseHot(blob, () -> {
                throw new IllegalStateException("SeaweedFS went away");
            });
        } catch (IllegalStateException expected) {
            // the delete failed: still to do
        }
        assertThat(tiers().unreleasedHotCopies(List.of("locks"), 100)).contains(blob);
        assertThat(tiers().releaseHot(blob, () -> { })).isTrue();
        assertThat(tiers().unreleasedHotCopies(List.of("locks"), 100)).doesNotContain(blob);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
