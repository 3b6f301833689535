package dev.kelp.agent.encryption;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Reads the key ring from the configuration: {@code kelp.encryption.key-dir} (a mounted
 * Secret with entries {@code key} and, optionally, {@code previous-keys}) and/or
 * {@code kelp.encryption.key}. A key is 32 bytes, given raw or as base64; anything else is
 * refused with a message saying which entry is wrong, and never half-applied.
 */
final class KeySources {

    static final String ACTIVE_ENTRY = "key";
    static final String PREVIOUS_ENTRY = "previous-keys";

    private KeySources() {
    }

    /** The ring the configuration names, or empty when it names no key. */
    static Optional<KeyRing> load(EncryptionConfig config) {
        List<Kek> extra = new ArrayList<>();
        // Base64 only: raw random bytes do not survive an environment variable (NUL, invalid UTF-8).
        Kek fromProperty = config.hasKey() ? parseBase64(config.key().strip(), "kelp.encryption.key") : null;
        if (config.hasKeyDir()) {
            if (fromProperty != null) {
                extra.add(fromProperty);
            }
            return Optional.of(readDir(Path.of(config.keyDir()), extra));
        }
        if (fromProperty != null) {
            return Optional.of(new KeyRing(fromProperty, List.of()));
        }
        if (config.enabled()) {
            throw new IllegalArgumentException("kelp.encryption.enabled is true but no key is configured:"
                + " set kelp.encryption.key-dir (a mounted Secret) or kelp.encryption.key (KELP_ENCRYPTION_KEY)");
        }
        return Optional.empty();
    }

    static KeyRing readDir(Path dir, List<Kek> extra) {
        Path active = dir.resolve(ACTIVE_ENTRY);
        byte[] activeBytes;
        try {
            activeBytes = Files.readAllBytes(active);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("kelp.encryption.key-dir " + dir + " has no entry '" + ACTIVE_ENTRY + "'");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + active + ": " + e.getMessage(), e);
        }
        List<Kek> previous = new ArrayList<>();
        Path previousFile = dir.resolve(PREVIOUS_ENTRY);
        if (Files.exists(previousFile)) {
            List<String> lines;
            try {
                lines = Files.readAllLines(previousFile, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read " + previousFile + ": " + e.getMessage(), e);
            }
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).strip();
                if (!line.isEmpty() && !line.startsWith("#")) {
                    previous.add(parseBase64(line, previousFile + " line " + (i + 1)));
                }
            }
        }
        previous.addAll(extra);
        return new KeyRing(parse(activeBytes, active.toString()), previous);
    }

    /** Raw 32 bytes, or base64 of them (a trailing newline is fine). */
    static Kek parse(byte[] bytes, String where) {
        if (bytes.length == Kek.BYTES) {
            return new Kek(bytes);
        }
        return parseBase64(new String(bytes, StandardCharsets.US_ASCII).strip(), where);
    }

    private static Kek parseBase64(String text, String where) {
        byte[] key;
        try {
            key = Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + " is neither 32 raw bytes nor base64 (" + e.getMessage() + ")");
        }
        if (key.length != Kek.BYTES) {
            throw new IllegalArgumentException(where + " decodes to " + key.length + " bytes; an encryption key is "
                + Kek.BYTES + " random bytes (e.g. head -c 32 /dev/urandom | base64)");
        }
        return new Kek(key);
    }
}
