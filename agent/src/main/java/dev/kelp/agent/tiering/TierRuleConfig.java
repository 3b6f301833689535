package dev.kelp.agent.tiering;

import dev.kelp.agent.config.ByteSize;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.context.annotation.EachProperty;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * One entry of {@code kelp.tiering.rules}, as the operator renders a TierRule (docs/tiering.md):
 * which objects, after how long unused, go to which cold target, and when they expire.
 *
 * @param name        the TierRule's name: names its lease and its report
 * @param match       which objects; absent: every object of the policy
 * @param coldAfter   how long an object goes neither written nor read before it moves cold
 * @param expireAfter how long unused before it is deleted; absent: never
 * @param target      where cold blobs go
 */
@EachProperty(value = "kelp.tiering.rules", list = true)
public record TierRuleConfig(
    String name,
    @Nullable Match match,
    @Nullable Duration coldAfter,
    @Nullable Duration expireAfter,
    @Nullable Target target) {

    /**
     * Every condition that is set must hold.
     *
     * @param prefix       keys starting with this ("" for all)
     * @param contentTypes media types, {@code type/*} for a family; empty: any
     * @param minSize      smallest size in bytes (inclusive); absent: 0
     * @param maxSize      largest size in bytes (inclusive); absent: no limit
     */
    @ConfigurationProperties("match")
    public record Match(
        @Bindable(defaultValue = "") String prefix,
        @Nullable List<String> contentTypes,
        @Nullable @ByteSize Long minSize,
        @Nullable @ByteSize Long maxSize) {
    }

    /**
     * @param bucket    bucket cold blobs go to; created if missing
     * @param prefix    key prefix inside it
     * @param endpoint  another S3 endpoint; absent: the policy's SeaweedFS, with its credentials
     * @param region    region to sign for at {@code endpoint}
     * @param accessKey access key for {@code endpoint}
     * @param secretKey secret key for {@code endpoint}
     */
    @ConfigurationProperties("target")
    public record Target(
        String bucket,
        @Bindable(defaultValue = "") String prefix,
        @Nullable URI endpoint,
        @Bindable(defaultValue = "us-east-1") String region,
        @Nullable String accessKey,
        @Nullable String secretKey) {

        /** The secret stays out of logs and error messages. */
        @Override
        public String toString() {
            return "Target[bucket=" + bucket + ", prefix=" + prefix + ", endpoint=" + endpoint + ", region=" + region
                + ", accessKey=" + accessKey + ", secretKey=" + (secretKey == null ? "none" : "***") + "]";
        }
    }
}
