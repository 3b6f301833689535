package dev.kelp.operator.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.crds.v1alpha1.StoragePolicy;
import dev.kelp.operator.policy.Conditions.Observation;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class AnnouncementsTest {

    private static final Observation MISSING = new Observation(Conditions.READY, false, "SecretMissing", "s3");
    private static final Observation READY = new Observation(Conditions.READY, true, "ConfigRendered", "ok");

    private final StoragePolicy policy = new StoragePolicy();

    AnnouncementsTest() {
        policy.setMetadata(new ObjectMetaBuilder().withName("p").withUid("uid-1").build());
    }

    @Test
    void aChangeSeenTwiceFromAStaleCacheIsAnnouncedOnce() {
        var announced = new Announcements();

        assertThat(announced.isNews(policy, List.of(), MISSING)).isTrue();
        assertThat(announced.isNews(policy, List.of(), MISSING)).as("stale cache: status not patched yet").isFalse();
        assertThat(announced.isNews(policy, List.of(), READY)).isTrue();
    }

    @Test
    void afterARestartTheStoredStatusIsTheMemory() {
        var stored = Conditions.with(List.of(), MISSING, 1L, Instant.EPOCH);

        assertThat(new Announcements().isNews(policy, stored, MISSING)).isFalse();
        assertThat(new Announcements().changed(policy, "config-hash", "abc", "abc")).isFalse();
        assertThat(new Announcements().changed(policy, "config-hash", "abc", "def")).isTrue();
    }
}
