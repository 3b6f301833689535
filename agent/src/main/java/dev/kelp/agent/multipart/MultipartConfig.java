package dev.kelp.agent.multipart;

import dev.kelp.agent.config.ByteSize;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;

/**
 * Multipart uploads on the fallback volume. The whole object is still bounded by
 * {@code kelp.storage.max-object-size}; this bounds each part, so one request stays short
 * enough to be worth retrying on its own.
 *
 * @param maxPartSize   largest accepted part: bytes, or a size such as 512MiB
 * @param maxAge        how long after its initiation an upload that is neither completed nor
 *                      aborted keeps its parts before the sweep reclaims them
 * @param sweepInterval how often the sweep looks for expired uploads
 */
@ConfigurationProperties("kelp.multipart")
public record MultipartConfig(
    @Bindable(defaultValue = "5GiB") @ByteSize @Min(1) long maxPartSize,
    @Bindable(defaultValue = "24h") @NotNull Duration maxAge,
    @Bindable(defaultValue = "10m") @NotNull Duration sweepInterval) {

    public MultipartConfig {
        if (maxAge.isNegative() || maxAge.isZero()) {
            throw new IllegalArgumentException("kelp.multipart.max-age must be positive: " + maxAge);
        }
        if (sweepInterval.isNegative() || sweepInterval.isZero()) {
            throw new IllegalArgumentException("kelp.multipart.sweep-interval must be positive: " + sweepInterval);
        }
    }
}
