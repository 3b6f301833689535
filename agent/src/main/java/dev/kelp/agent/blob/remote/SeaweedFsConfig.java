package dev.kelp.agent.blob.remote;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.time.Duration;

/**
 * Where SeaweedFS is and how patient the agent is with it. Without {@code kelp.seaweedfs.endpoint}
 * none of the SeaweedFS beans exist and the agent runs local-only.
 *
 * <p>The thresholds are chosen so an outage is noticed within about a second while a large
 * upload on a slow link is not mistaken for one: a request's attempt timeout grows with its
 * size (see {@link #attemptTimeout(long)}).
 */
@ConfigurationProperties("kelp.seaweedfs")
@Requires(property = "kelp.seaweedfs.endpoint")
public record SeaweedFsConfig(
    @NotNull URI endpoint,
    @Bindable(defaultValue = "us-east-1") @NotBlank String region,
    @Nullable String accessKey,
    @Nullable String secretKey,
    @Bindable(defaultValue = "500ms") @NotNull Duration connectTimeout,
    @Bindable(defaultValue = "5s") @NotNull Duration readTimeout,
    @Bindable(defaultValue = "2s") @NotNull Duration attemptTimeoutBase,
    @Bindable(defaultValue = "8") @Min(1) long minThroughputMibPerSecond,
    @Bindable(defaultValue = "2") @Min(1) @Max(10) int retryAttempts,
    @Bindable(defaultValue = "50ms") @NotNull Duration retryInitialBackoff,
    @Bindable(defaultValue = "500ms") @NotNull Duration probeInterval,
    @Bindable(defaultValue = "10s") @NotNull Duration slowProbeInterval,
    @Bindable(defaultValue = "1s") @NotNull Duration probeTimeout,
    @Valid @NotNull Breaker breaker) {

    private static final long MIB = 1024 * 1024;

    /**
     * The time one attempt of a request that sends or receives {@code bytes} may take: the base
     * (a small request on a healthy server answers in milliseconds) plus the time to move the
     * bytes at the slowest throughput we still call healthy.
     */
    public Duration attemptTimeout(long bytes) {
        long transferMillis = Math.ceilDiv(Math.max(bytes, 0) * 1000, minThroughputMibPerSecond * MIB);
        return attemptTimeoutBase.plusMillis(transferMillis);
    }

    /** The secret stays out of logs and error messages. */
    @Override
    public String toString() {
        return "SeaweedFsConfig[endpoint=" + endpoint + ", region=" + region + ", accessKey=" + accessKey
            + ", secretKey=" + (secretKey == null ? "none" : "***") + ", connectTimeout=" + connectTimeout
            + ", readTimeout=" + readTimeout + ", attemptTimeoutBase=" + attemptTimeoutBase
            + ", minThroughputMibPerSecond=" + minThroughputMibPerSecond + ", retryAttempts=" + retryAttempts
            + ", retryInitialBackoff=" + retryInitialBackoff + ", probeInterval=" + probeInterval
            + ", slowProbeInterval=" + slowProbeInterval + ", probeTimeout=" + probeTimeout + ", breaker=" + breaker + "]";
    }

    /** When the circuit breaker opens (SeaweedFS counted as down) and how it tries again. */
    @ConfigurationProperties("breaker")
    public record Breaker(
        @Bindable(defaultValue = "50") @Min(1) @Max(100) float failureRateThreshold,
        @Bindable(defaultValue = "10") @Min(1) int slidingWindowSize,
        @Bindable(defaultValue = "3") @Min(1) int minimumNumberOfCalls,
        @Bindable(defaultValue = "2s") @NotNull Duration waitInOpenState,
        @Bindable(defaultValue = "2") @Min(1) int permittedCallsInHalfOpen,
        @Bindable(defaultValue = "3") @Min(1) int consecutiveFailures) {
    }
}
