package dev.kelp.agent.blob.cache;

import dev.kelp.agent.config.ByteSize;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.PositiveOrZero;

/**
 * The disk cache: copies of objects stored on SeaweedFS, kept on the fallback volume so that
 * reading them again costs a local file read instead of a SeaweedFS round trip (docs/agent-config.md).
 *
 * @param maxBytes most bytes the cache keeps, such as 512MiB; 0 (the default until its benchmark is in
 *                 docs/benchmarks.md) keeps it off. It gives way to writes: it never takes room the
 *                 fallback volume's limit or its reserve would need.
 */
@ConfigurationProperties("kelp.cache.disk")
public record DiskCacheConfig(@PositiveOrZero @ByteSize @Bindable(defaultValue = "0") long maxBytes) {

    public static DiskCacheConfig off() {
        return new DiskCacheConfig(0);
    }
}
