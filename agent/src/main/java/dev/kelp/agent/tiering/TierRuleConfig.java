package dev.kelp.agent.tiering;

import dev.kelp.agent.config.ByteSize;
import dev.kelp.agent.config.TargetClients;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.context.annotation.EachProperty;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * One entry of {@code kelp.tiering.rules}, as the operator renders a TierRule (docs/tiering.md):
 * which objects, after how long unused, go to which cold target, and when they expire.
 *
 * @param name        the TierRule's name: names its lease and its report
 * @param match       which objects; absent: every object of the policy
 * @param coldAfter   how long an object goes neither written nor read before it moves cold
 * @param expireAfter how long unused before it is deleted; absent: never
 * @param target      where cold blobs go
 * @param promoteOnRead whether a read of an object this rule moved cold copies it back hot;
 *                    absent: {@code kelp.tiering.promote-on-read}
 */
@EachProperty(value = "kelp.tiering.rules", list = true)
public record TierRuleConfig(
    String name,
    @Nullable Match match,
    @Nullable Duration coldAfter,
    @Nullable Duration expireAfter,
    @Nullable Target target,
    @Nullable Boolean promoteOnRead) {

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
     * @param credentialsSecret the Secret the keys come from, when they are not given here
     * @param credentialsDir    where that Secret is mounted: files accessKey and secretKey
     */
    @ConfigurationProperties("target")
    public record Target(
        String bucket,
        @Bindable(defaultValue = "") String prefix,
        @Nullable URI endpoint,
        @Bindable(defaultValue = "us-east-1") String region,
        @Nullable String accessKey,
        @Nullable String secretKey,
        @Nullable String credentialsSecret,
        @Nullable Path credentialsDir) {

        /** Whether there are keys for {@code endpoint}: given here, or from the mounted Secret. */
        boolean hasCredentials() {
            return (accessKey != null && !accessKey.isBlank() && secretKey != null) || credentialsDir != null;
        }

        /** The keys for {@code endpoint}: given here, else read from the mounted Secret at each request. */
        AwsCredentialsProvider credentials() {
            return TargetClients.credentials(accessKey, secretKey, credentialsDir, credentialsSecret);
        }

        /** The secret stays out of logs and error messages. */
        @Override
        public String toString() {
            return "Target[bucket=" + bucket + ", prefix=" + prefix + ", endpoint=" + endpoint + ", region=" + region
                + ", accessKey=" + accessKey + ", secretKey=" + (secretKey == null ? "none" : "***")
                + ", credentialsSecret=" + credentialsSecret + "]";
        }
    }
}
