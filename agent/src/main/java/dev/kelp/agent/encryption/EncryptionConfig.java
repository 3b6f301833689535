package dev.kelp.agent.encryption;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import io.micronaut.core.annotation.Nullable;
import java.time.Duration;

/**
 * Encryption at rest (docs/encryption.md).
 *
 * @param enabled        new blobs are written encrypted; off, blobs are written as before
 * @param key            a single key-encryption key, base64 of 32 bytes (env KELP_ENCRYPTION_KEY)
 * @param keyDir         a mounted Secret: {@code key} (the active key, raw 32 bytes or base64),
 *                       optional {@code previous-keys} (base64, one a line), re-read as kubelet
 *                       updates it; wins over {@code key}, which is then accepted as a previous key
 * @param reloadInterval how often {@code keyDir} is re-read
 * @param rewrapInterval how soon the re-wrapper tries again while blobs remain under an old key
 */
@ConfigurationProperties("kelp.encryption")
public record EncryptionConfig(
    @Bindable(defaultValue = "false") boolean enabled,
    @Nullable String key,
    @Nullable String keyDir,
    @Bindable(defaultValue = "5s") Duration reloadInterval,
    @Bindable(defaultValue = "30s") Duration rewrapInterval) {

    /** Encryption off and no key: the agent behaves as it did before encryption existed. */
    public static EncryptionConfig off() {
        return new EncryptionConfig(false, null, null, Duration.ofSeconds(5), Duration.ofSeconds(30));
    }

    boolean hasKey() {
        return key != null && !key.isBlank();
    }

    boolean hasKeyDir() {
        return keyDir != null && !keyDir.isBlank();
    }
}
