package dev.kelp.agent.sync;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Duration;

/**
 * How the fallback volume drains back to SeaweedFS.
 *
 * @param concurrency uploads in flight at once while draining
 * @param interval    how often the drain looks for work when it is idle
 */
@ConfigurationProperties("kelp.sync")
public record SyncConfig(
    @Bindable(defaultValue = "4") @Min(1) @Max(64) int concurrency,
    @Bindable(defaultValue = "250ms") Duration interval) {
}
