package dev.kelp.operator.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.operator.policy.Conditions.Observation;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConditionsTest {

    private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
    private static final Instant T1 = Instant.parse("2026-11-24T10:05:00Z");
    private static final Observation READY = new Observation(Conditions.READY, true, "ConfigRendered", "fine");
    private static final Observation NOT_READY = new Observation(Conditions.READY, false, "SecretMissing", "Secret s3 does not exist");

    @Test
    void transitionTimeMovesOnlyWhenTheStatusFlips() {
        var first = Conditions.with(List.of(), READY, 1L, T0);
        var same = Conditions.with(first, new Observation(Conditions.READY, true, "ConfigRendered", "other words"), 2L, T1);
        var flipped = Conditions.with(same, NOT_READY, 2L, T1);

        assertThat(same).singleElement().satisfies(c -> {
            assertThat(c.getLastTransitionTime()).isEqualTo(T0.toString());
            assertThat(c.getObservedGeneration()).isEqualTo(2L);
            assertThat(c.getMessage()).isEqualTo("other words");
        });
        assertThat(flipped).singleElement().satisfies(c -> {
            assertThat(c.getLastTransitionTime()).isEqualTo(T1.toString());
            assertThat(c.getStatus()).isEqualTo("False");
            assertThat(c.getReason()).isEqualTo("SecretMissing");
        });
    }

    @Test
    void eachTypeAppearsOnceAndKeepsItsPlace() {
        var degraded = new Observation(Conditions.DEGRADED, false, "NoAgents", "none");
        var both = Conditions.with(Conditions.with(List.of(), READY, 1L, T0), degraded, 1L, T0);
        var again = Conditions.with(both, NOT_READY, 1L, T1);

        assertThat(again).extracting(c -> c.getType()).containsExactly("Ready", "Degraded");
        assertThat(again.getFirst().getStatus()).isEqualTo("False");
    }

    @Test
    void newsIsANewConditionOrAChangedStatusOrReasonNotAChangedMessage() {
        var before = Conditions.with(List.of(), NOT_READY, 1L, T0);

        assertThat(Conditions.isNews(List.of(), NOT_READY)).isTrue();
        assertThat(Conditions.isNews(before, new Observation(Conditions.READY, false, "SecretMissing", "now two Secrets"))).isFalse();
        assertThat(Conditions.isNews(before, new Observation(Conditions.READY, false, "SecretKeyMissing", "key"))).isTrue();
        assertThat(Conditions.isNews(before, READY)).isTrue();
    }
}
