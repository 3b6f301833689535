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
 * @param shutdownDrainTimeout how long a stopping agent keeps draining, when SeaweedFS is
 *                    reachable, before it exits: what an emptyDir fallback volume still holds
 *                    when the pod goes is lost with it, so the agent tries to empty it first
 */
@ConfigurationProperties("kelp.sync")
public record SyncConfig(
    @Bindable(defaultValue = "4") @Min(1) @Max(64) int concurrency,
    @Bindable(defaultValue = "250ms") Duration interval,
    @Bindable(defaultValue = "20s") Duration shutdownDrainTimeout) {
}
