package dev.kelp.agent.blob.remote;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class AttemptTimeoutTest {

    private static final long MIB = 1024 * 1024;
    private final SeaweedFsConfig config = TestConfigs.defaults("http://127.0.0.1:1", "a", "s");

    @Test
    void aSmallRequestGetsTheBaseSoAHungServerIsNoticedWithinSeconds() {
        assertThat(config.attemptTimeout(0)).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.attemptTimeout(4096)).isBetween(Duration.ofSeconds(2), Duration.ofMillis(2001));
    }

    @Test
    void aLargeUploadGetsTimeToMoveItsBytesAtTheMinimumThroughput() {
        // 64 MiB at 8 MiB/s is 8 s of transfer on top of the 2 s base.
        assertThat(config.attemptTimeout(64 * MIB)).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.attemptTimeout(1024 * MIB)).isEqualTo(Duration.ofSeconds(130));
    }

    @Test
    void theAllowanceRoundsUpToTheMillisecond() {
        // 1 byte at 8 MiB/s is far below a millisecond: still one more, never less time than needed.
        assertThat(config.attemptTimeout(1)).isEqualTo(Duration.ofMillis(2001));
    }

    @Test
    void aFasterMinimumThroughputShrinksTheAllowance() {
        var fast = new SeaweedFsConfig(config.endpoint(), config.region(), null, null, config.connectTimeout(),
            config.readTimeout(), Duration.ofMillis(500), 64, 2, config.retryInitialBackoff(), config.probeInterval(),
            config.slowProbeInterval(), config.probeTimeout(), config.breaker());

        assertThat(fast.attemptTimeout(64 * MIB)).isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void aNegativeSizeCountsAsEmpty() {
        assertThat(config.attemptTimeout(-1)).isEqualTo(Duration.ofSeconds(2));
    }
}
