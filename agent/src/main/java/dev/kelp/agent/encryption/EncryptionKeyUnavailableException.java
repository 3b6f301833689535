package dev.kelp.agent.encryption;

import dev.kelp.agent.object.ContentHash;
import dev.kelp.agent.object.KelpException;

/**
 * 500: a blob's data key is wrapped by a key-encryption key this agent does not hold (removed
 * from the Secret too early, or a wrong Secret mounted), or the blob is encrypted and no key
 * is configured at all. Nothing is changed by it; putting the key back makes the blob
 * readable again.
 */
public class EncryptionKeyUnavailableException extends KelpException {

    public EncryptionKeyUnavailableException(String bucket, ContentHash hash, String why) {
        super(500, "EncryptionKeyUnavailable", "blob " + hash + " of bucket " + bucket + " cannot be decrypted: " + why
            + " (see docs/encryption.md, rotation)");
    }
}
