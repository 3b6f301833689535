package dev.kelp.operator.inject;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PodEventsTest {

    @Test
    void eventNamesStayValidForGenerateNamePrefixesAndLongNames() {
        assertThat(PodEvents.eventPrefix("shop-0")).isEqualTo("shop-0.");
        assertThat(PodEvents.eventPrefix("web-7d9f-")).isEqualTo("web-7d9f.");
        assertThat(PodEvents.eventPrefix("")).isEqualTo("pod.");
        assertThat(PodEvents.eventPrefix("a".repeat(253))).hasSize(201);
    }
}
