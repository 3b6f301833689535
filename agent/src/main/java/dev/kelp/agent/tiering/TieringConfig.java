package dev.kelp.agent.tiering;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;

/**
 * How the agent carries out its TierRules ({@code kelp.tiering}, docs/agent-config.md); the rules
 * themselves are {@link TierRuleConfig}.
 *
 * @param interval            how often each rule runs (one agent of the policy runs it: the lease)
 * @param leaseTtl            how long a rule's lease lasts unrenewed
 * @param promoteOnRead       a read of a cold object copies it back to the hot bucket
 * @param accessFlushInterval how often recorded reads are written to the metadata database
 * @param accessMaxPending    most distinct objects remembered between flushes; past it a flush starts early
 * @param batchSize           objects looked at per query of a run
 * @param hotPricePerGibMonth  what a GiB-month costs in the hot bucket, for the cost report
 * @param coldPricePerGibMonth what a GiB-month costs on the cold target
 * @param currency            the unit of both prices, as the report shows it
 */
@ConfigurationProperties("kelp.tiering")
public record TieringConfig(
    @Bindable(defaultValue = "1m") @NotNull Duration interval,
    @Bindable(defaultValue = "60s") @NotNull Duration leaseTtl,
    @Bindable(defaultValue = "true") boolean promoteOnRead,
    @Bindable(defaultValue = "5s") @NotNull Duration accessFlushInterval,
    @Bindable(defaultValue = "100000") @Min(1) int accessMaxPending,
    @Bindable(defaultValue = "500") @Min(1) @Max(10000) int batchSize,
    @Bindable(defaultValue = "0.023") @DecimalMin("0") double hotPricePerGibMonth,
    @Bindable(defaultValue = "0.004") @DecimalMin("0") double coldPricePerGibMonth,
    @Bindable(defaultValue = "USD") String currency) {

    public TieringConfig {
        if (interval.isNegative() || interval.isZero() || leaseTtl.isNegative() || leaseTtl.isZero()
            || accessFlushInterval.isNegative() || accessFlushInterval.isZero()) {
            throw new IllegalArgumentException("kelp.tiering.interval, lease-ttl and access-flush-interval must be positive");
        }
    }
}
