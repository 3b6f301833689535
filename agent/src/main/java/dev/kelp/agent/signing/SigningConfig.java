package dev.kelp.agent.signing;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;

/**
 * Signed URLs: who may read or write one object without other credentials, until when.
 *
 * @param key        HMAC-SHA256 key (from the policy's Secret), 32 bytes or more; without it the
 *                   agent keeps a random key of its own on the fallback volume, valid for this
 *                   agent only
 * @param defaultTtl validity when the caller asks for none
 * @param maxTtl     the longest validity a caller may ask for (7 days, as S3 presigning allows)
 * @param baseUrl    scheme, host and port signed agent URLs start with; empty: the Host the
 *                   caller used to ask for the URL
 */
@ConfigurationProperties("kelp.signed-urls")
public record SigningConfig(
    @Nullable String key,
    @Bindable(defaultValue = "15m") @NotNull Duration defaultTtl,
    @Bindable(defaultValue = "7d") @NotNull Duration maxTtl,
    @Bindable(defaultValue = "") String baseUrl) {

    public SigningConfig {
        if (key != null && !key.isBlank() && key.getBytes(java.nio.charset.StandardCharsets.UTF_8).length < 32) {
            throw new IllegalArgumentException("kelp.signed-urls.key must be at least 32 bytes long");
        }
        if (defaultTtl.isNegative() || defaultTtl.isZero() || defaultTtl.compareTo(maxTtl) > 0) {
            throw new IllegalArgumentException("kelp.signed-urls.default-ttl must be positive and at most max-ttl (" + maxTtl + ")");
        }
        baseUrl = baseUrl == null ? "" : baseUrl.replaceAll("/+$", "");
    }

    /** The key stays out of logs. */
    @Override
    public String toString() {
        return "SigningConfig[key=" + (key == null || key.isBlank() ? "generated" : "***") + ", defaultTtl=" + defaultTtl
            + ", maxTtl=" + maxTtl + ", baseUrl=" + baseUrl + "]";
    }
}
