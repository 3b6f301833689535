package dev.kelp.agent.tiering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class TierMatcherTest {

    private final TierMatcher invoices = new TierMatcher("invoices/", List.of("application/pdf", "Image/*"), 100, 1000);

    @Test
    void everyConditionThatIsSetMustHold() {
        assertThat(invoices.matches("invoices/2024/a.pdf", "application/pdf", 500)).isTrue();
        assertThat(invoices.matches("receipts/a.pdf", "application/pdf", 500)).as("prefix").isFalse();
        assertThat(invoices.matches("invoices/a.txt", "text/plain", 500)).as("content type").isFalse();
        assertThat(invoices.matches("invoices/a.pdf", "application/pdf", 99)).as("below min-size").isFalse();
        assertThat(invoices.matches("invoices/a.pdf", "application/pdf", 1001)).as("above max-size").isFalse();
        assertThat(invoices.matches("invoices/a.pdf", "application/pdf", 100)).as("sizes are inclusive").isTrue();
        assertThat(invoices.matches("invoices/a.pdf", "application/pdf", 1000)).isTrue();
    }

    @Test
    void aFamilyPatternMatchesEveryTypeOfTheFamilyIgnoringCaseAndParameters() {
        assertThat(invoices.matchesType("image/png")).isTrue();
        assertThat(invoices.matchesType("IMAGE/JPEG; quality=high")).isTrue();
        assertThat(invoices.matchesType("application/PDF;version=1.7")).isTrue();
        assertThat(invoices.matchesType("imagery/png")).as("image/* is not a prefix of any string").isFalse();
        assertThat(invoices.matchesType(null)).as("no type matches no listed type").isFalse();
        assertThat(TierMatcher.EVERYTHING.matchesType(null)).as("no list: any type, or none").isTrue();
    }

    @Test
    void anAbsentMatchIsEveryObject() {
        assertThat(TierMatcher.of(null)).isEqualTo(TierMatcher.EVERYTHING);
        var partial = TierMatcher.of(new TierRuleConfig.Match("logs/", null, null, 10L));
        assertThat(partial).isEqualTo(new TierMatcher("logs/", List.of(), 0, 10));
        assertThat(partial.matches("logs/x", null, 0)).isTrue();
    }

    @Test
    void sizesTheWrongWayRoundAreRefused() {
        assertThatThrownBy(() -> new TierMatcher("", List.of(), 10, 9)).hasMessageContaining("not larger than max-size");
    }
}
