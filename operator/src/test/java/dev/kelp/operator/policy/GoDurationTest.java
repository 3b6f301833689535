package dev.kelp.operator.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class GoDurationTest {

    @Test
    void readsEveryFormTheCrdsAccept() {
        assertThat(GoDuration.parse("720h")).isEqualTo(Duration.ofDays(30));
        assertThat(GoDuration.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(GoDuration.parse("1.5h")).isEqualTo(Duration.ofMinutes(90));
        assertThat(GoDuration.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(GoDuration.parse("1m30s")).isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void writesOneNumberAndOneUnitAsMicronautReadsThem() {
        assertThat(GoDuration.forAgent("720h")).isEqualTo("720h");
        assertThat(GoDuration.forAgent("1h30m")).isEqualTo("90m");
        assertThat(GoDuration.forAgent("1.5s")).isEqualTo("1500ms");
        assertThat(GoDuration.forAgent("15m")).isEqualTo("15m");
        assertThat(GoDuration.forAgent("60m")).isEqualTo("1h");
    }

    @Test
    void refusesDays() {
        assertThatThrownBy(() -> GoDuration.parse("30d")).hasMessageContaining("30d");
    }
}
