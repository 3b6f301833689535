package dev.kelp.agent.signing;

import dev.kelp.agent.fallback.DurableFiles;
import dev.kelp.agent.fallback.FallbackVolume;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The signing key: the configured one (the policy's Secret, shared by every agent of the
 * policy), or else one this agent makes once and keeps on its fallback volume, so URLs it
 * handed out stay valid across its restarts.
 */
@Factory
class SigningKeys {

    private static final Logger LOG = LoggerFactory.getLogger(SigningKeys.class);
    static final String KEY_FILE = "signing.key";

    @Singleton
    UrlSigner urlSigner(SigningConfig config, FallbackVolume volume) {
        if (config.key() != null && !config.key().isBlank()) {
            return new UrlSigner(config.key().getBytes(StandardCharsets.UTF_8), Clock.systemUTC());
        }
        return new UrlSigner(ownKey(volume.root().resolve(KEY_FILE)), Clock.systemUTC());
    }

    static byte[] ownKey(Path file) {
        try {
            if (Files.exists(file)) {
                byte[] key = Files.readAllBytes(file);
                if (key.length >= 32) {
                    return key;
                }
                LOG.warn("{} holds {} bytes, fewer than 32: making a new signing key", file, key.length);
            }
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                // Owner-only from its first byte: the key must never be readable by others, not even briefly.
                DurableFiles.writeAtomically(file, key, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } else {
                DurableFiles.writeAtomically(file, key);
            }
            LOG.info("no kelp.signed-urls.key configured: signed URLs use a key of this agent's own ({})", file);
            return key;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the signing key " + file, e);
        }
    }
}
