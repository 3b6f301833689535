package dev.kelp.agent.access;

import dev.kelp.agent.config.ByteSize;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.Min;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Owners, what they share and what they may hold ({@code kelp.access.*}, docs/access-control.md).
 *
 * @param principalsFile        the principals file (tokens and S3 keys per owner, per-owner quotas),
 *                              mounted from a Secret; null: only kelp.api.token and kelp.s3's key pair,
 *                              both naming the default owner
 * @param sharing               {@code private}, {@code read} or {@code read-write}
 * @param ownerQuotaMaxBytes    bytes each owner may hold unless the principals file gives it its own; 0: unlimited
 * @param ownerQuotaMaxObjects  objects each owner may hold likewise; 0: unlimited
 * @param reloadInterval        how often the principals file is checked for a change
 */
@ConfigurationProperties("kelp.access")
public record AccessConfig(
    @Nullable Path principalsFile,
    @Bindable(defaultValue = "private") String sharing,
    @Bindable(defaultValue = "0") @ByteSize @Min(0) long ownerQuotaMaxBytes,
    @Bindable(defaultValue = "0") @Min(0) long ownerQuotaMaxObjects,
    @Bindable(defaultValue = "10s") Duration reloadInterval) {

    public AccessConfig {
        Sharing.parse(sharing);
        if (reloadInterval == null || reloadInterval.isNegative()) {
            throw new IllegalArgumentException("kelp.access.reload-interval must not be negative");
        }
    }

    public Sharing sharingMode() {
        return Sharing.parse(sharing);
    }

    public OwnerQuota defaultOwnerQuota() {
        return new OwnerQuota(ownerQuotaMaxBytes, ownerQuotaMaxObjects);
    }
}
