package dev.kelp.agent.s3;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import io.micronaut.core.annotation.Nullable;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Duration;

/**
 * The S3-compatible endpoint ({@code kelp.s3.*}, docs/s3.md): a second door onto the same
 * engine as the native API, on a listener of its own.
 *
 * @param enabled           whether the endpoint listens at all
 * @param host              interface to bind; empty: the native API's ({@code micronaut.server.host})
 * @param port              TCP port; 0 picks a free one (tests)
 * @param baseDomain        virtual-host-style requests name the bucket as {@code <bucket>.<baseDomain>}
 * @param auth              {@code sigv4} (AWS Signature V4 against the key pair below) or {@code none}
 * @param accessKeyId       the one access key id clients sign with
 * @param secretAccessKey   its secret
 * @param region            what GetBucketLocation answers; signatures are accepted for any region
 * @param maxClockSkew      how far a request's X-Amz-Date may be from the agent's clock
 * @param workerThreads     most requests served at once; more are answered 503 SlowDown
 * @param shutdownGrace     how long a stopping agent waits for requests in flight
 */
@ConfigurationProperties("kelp.s3")
public record S3Config(
    @Bindable(defaultValue = "true") boolean enabled,
    @Nullable String host,
    @Bindable(defaultValue = "8781") @Min(0) @Max(65535) int port,
    @Bindable(defaultValue = "localhost") String baseDomain,
    @Bindable(defaultValue = "sigv4") String auth,
    @Nullable String accessKeyId,
    @Nullable String secretAccessKey,
    @Bindable(defaultValue = "us-east-1") String region,
    @Bindable(defaultValue = "15m") Duration maxClockSkew,
    @Bindable(defaultValue = "64") @Min(1) int workerThreads,
    @Bindable(defaultValue = "20s") Duration shutdownGrace) {

    public S3Config {
        auth = auth == null ? "sigv4" : auth.trim().toLowerCase(java.util.Locale.ROOT);
        if (!auth.equals("sigv4") && !auth.equals("none")) {
            throw new IllegalArgumentException("kelp.s3.auth must be sigv4 or none, not " + auth);
        }
        baseDomain = baseDomain == null ? "localhost" : baseDomain.toLowerCase(java.util.Locale.ROOT);
    }

    public boolean signed() {
        return auth.equals("sigv4");
    }
}
