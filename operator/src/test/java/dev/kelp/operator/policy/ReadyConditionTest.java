package dev.kelp.operator.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.crds.v1alpha1.StoragePolicyStatus;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ReadyConditionTest {

    private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
    private static final Instant T1 = Instant.parse("2026-11-24T10:05:00Z");

    @Test
    void missingSecretIsNotReadyAndNamesTheSecret() {
        var status = ReadyCondition.observe(new StoragePolicyStatus(), 3L, false, "s3-creds", T0);

        assertThat(status.getObservedGeneration()).isEqualTo(3L);
        var ready = status.getConditions().getFirst();
        assertThat(ready.getStatus()).isEqualTo("False");
        assertThat(ready.getReason()).isEqualTo("SecretMissing");
        assertThat(ready.getMessage()).contains("s3-creds");
    }

    @Test
    void transitionTimeMovesOnlyWhenTheStatusChanges() {
        var first = ReadyCondition.observe(new StoragePolicyStatus(), 1L, true, "s3-creds", T0);
        var same = ReadyCondition.observe(first, 2L, true, "s3-creds", T1);
        var flipped = ReadyCondition.observe(same, 2L, false, "s3-creds", T1);

        assertThat(same.getConditions()).singleElement().satisfies(c -> {
            assertThat(c.getLastTransitionTime()).isEqualTo(T0.toString());
            assertThat(c.getObservedGeneration()).isEqualTo(2L);
        });
        assertThat(flipped.getConditions()).singleElement()
            .satisfies(c -> assertThat(c.getLastTransitionTime()).isEqualTo(T1.toString()));
    }
}
