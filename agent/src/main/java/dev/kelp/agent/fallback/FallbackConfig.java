package dev.kelp.agent.fallback;

import dev.kelp.agent.config.ByteSize;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PositiveOrZero;
import java.nio.file.Path;

/**
 * The local fallback volume: where writes land when SeaweedFS cannot take them, and where
 * request bodies are staged on their way in. Sizes are {@link ByteSize}s: plain bytes or
 * {@code 512KiB}, {@code 64Mi}, {@code 10GB}, ... (every unit a power of 1024).
 *
 * @param dir          root of the volume; relative paths resolve against the working directory
 * @param maxBytes     most blob bytes the volume may hold, staged bodies included; 0 = only the disk limits it
 * @param reserveBytes free space always left on the filesystem, so queue entries and the
 *                     volume's own bookkeeping can still be written when it fills up
 */
@ConfigurationProperties("kelp.fallback")
public record FallbackConfig(
    @NotNull @Bindable(defaultValue = "kelp-data") Path dir,
    @PositiveOrZero @ByteSize @Bindable(defaultValue = "0") long maxBytes,
    @PositiveOrZero @ByteSize @Bindable(defaultValue = "64MB") long reserveBytes) {
}
