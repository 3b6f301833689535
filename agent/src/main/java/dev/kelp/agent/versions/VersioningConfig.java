package dev.kelp.agent.versions;

import dev.kelp.agent.config.ByteSize;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.Min;
import java.time.Duration;

/**
 * Whether overwritten and deleted objects keep their earlier versions, and for how long. The
 * operator renders these from the StoragePolicy's {@code spec.versioning} (keepLast, keepFor).
 *
 * @param enabled       keep earlier versions; false: an overwrite or delete replaces the object for good
 * @param keepLast      how many earlier versions of each key to keep besides the current one (0 keeps
 *                      none); absent: no count limit
 * @param keepFor       how long an earlier version is kept after it was replaced, as the policy writes it
 *                      ({@link GoDurations}: 720h, 1h30m, 30d, PT720H); absent: no age limit
 * @param sweepInterval how often the sweeper looks for versions past {@code keepFor}
 * @param diffMaxBytes  the largest version a diff reads (each side), in bytes or a size such as 1MiB
 */
@ConfigurationProperties("kelp.versioning")
public record VersioningConfig(
    @Bindable(defaultValue = "false") boolean enabled,
    @Nullable Integer keepLast,
    @Nullable String keepFor,
    @Bindable(defaultValue = "1m") Duration sweepInterval,
    @Bindable(defaultValue = "1MiB") @ByteSize @Min(0) long diffMaxBytes) {

    public VersioningConfig {
        if (keepLast != null && keepLast < 0) {
            throw new IllegalArgumentException("kelp.versioning.keep-last must not be negative, was " + keepLast);
        }
        if (keepFor != null && keepFor.isBlank()) {
            keepFor = null;
        }
        if (keepFor != null) {
            try {
                GoDurations.parse(keepFor);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("kelp.versioning.keep-for: " + e.getMessage(), e);
            }
        }
        if (sweepInterval == null || sweepInterval.isZero() || sweepInterval.isNegative()) {
            throw new IllegalArgumentException("kelp.versioning.sweep-interval must be positive, was " + sweepInterval);
        }
    }

    /** Versioning off: today's behaviour, nothing kept. */
    public static VersioningConfig disabled() {
        return new VersioningConfig(false, null, null, Duration.ofMinutes(1), 1024 * 1024);
    }

    /** Earlier versions are kept at all: versioning on, and a policy that keeps some. */
    public boolean keepsVersions() {
        return enabled && !retention().keepsNone();
    }

    /** {@code keepFor} as a duration; null when there is no age limit. */
    public Duration keepForDuration() {
        return keepFor == null ? null : GoDurations.parse(keepFor);
    }

    public RetentionPolicy retention() {
        return new RetentionPolicy(keepLast, keepForDuration());
    }
}
