package dev.kelp.agent.object;

import dev.kelp.agent.config.ByteSize;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import java.util.List;

/**
 * What apps may store: which buckets, how big, which content types, how much in all.
 *
 * @param buckets             bucket names apps may use; the first is the default
 * @param maxObjectSize       largest accepted body: bytes, or a size such as 5GiB (units are powers of 1024)
 * @param allowedContentTypes media types accepted on PUT, e.g. image/*; empty: any
 * @param quotaMaxBytes       bytes a bucket may hold (current versions); 0: unlimited
 * @param quotaMaxObjects     objects a bucket may hold; 0: unlimited
 */
@ConfigurationProperties("kelp.storage")
public record StorageConfig(
    @Bindable(defaultValue = "default") @NotEmpty List<String> buckets,
    @Bindable(defaultValue = "5GiB") @ByteSize @Min(0) long maxObjectSize,
    @Bindable(defaultValue = "") List<String> allowedContentTypes,
    @Bindable(defaultValue = "0") @ByteSize @Min(0) long quotaMaxBytes,
    @Bindable(defaultValue = "0") @Min(0) long quotaMaxObjects) {

    public StorageConfig {
        buckets.forEach(ObjectKeys::requireValidBucket);
        buckets = List.copyOf(buckets);
        allowedContentTypes = allowedContentTypes == null ? List.of()
            : allowedContentTypes.stream().filter(t -> !t.isBlank()).toList();
    }

    /** True when the media type (parameters ignored, case-insensitive) matches an allowed pattern. */
    public boolean allowsContentType(String contentType) {
        if (allowedContentTypes.isEmpty()) {
            return true;
        }
        if (contentType == null) {
            return false;
        }
        String type = contentType.split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
        return allowedContentTypes.stream().map(p -> p.toLowerCase(java.util.Locale.ROOT)).anyMatch(p ->
            p.equals(type) || p.equals("*/*") || (p.endsWith("/*") && type.startsWith(p.substring(0, p.length() - 1))));
    }
}
