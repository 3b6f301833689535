package dev.kelp.operator.inject;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LabelSelectorsTest {

    @Test
    void absentSelectsNothingAndEmptySelectsEverything() {
        assertThat(LabelSelectors.matches(null, Map.of("a", "b"))).isFalse();
        assertThat(LabelSelectors.matches(new LabelSelector(), Map.of())).isTrue();
    }

    @Test
    void matchLabelsAndEveryOperatorMustAllHold() {
        var selector = new LabelSelectorBuilder().addToMatchLabels("app", "web")
            .addNewMatchExpression().withKey("tier").withOperator("In").withValues("front", "edge").endMatchExpression()
            .addNewMatchExpression().withKey("env").withOperator("NotIn").withValues("dev").endMatchExpression()
            .addNewMatchExpression().withKey("team").withOperator("Exists").endMatchExpression()
            .addNewMatchExpression().withKey("legacy").withOperator("DoesNotExist").endMatchExpression()
            .build();

        assertThat(LabelSelectors.matches(selector, Map.of("app", "web", "tier", "edge", "team", "x"))).isTrue();
        assertThat(LabelSelectors.matches(selector, Map.of("app", "web", "tier", "edge", "team", "x", "env", "dev"))).isFalse();
        assertThat(LabelSelectors.matches(selector, Map.of("app", "web", "tier", "back", "team", "x"))).isFalse();
        assertThat(LabelSelectors.matches(selector, Map.of("app", "web", "tier", "edge"))).isFalse();
        assertThat(LabelSelectors.matches(selector, Map.of("app", "web", "tier", "edge", "team", "x", "legacy", ""))).isFalse();
        assertThat(LabelSelectors.matches(selector, Map.of("app", "db", "tier", "edge", "team", "x"))).isFalse();
    }
}
