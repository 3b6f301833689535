package dev.kelp.agent.backup;

import dev.kelp.agent.encryption.BlobEncryption;
import dev.kelp.agent.object.ContentHash;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.util.Set;

/**
 * How blob content is kept on a backup target. With encryption at rest on, sealed in the same
 * envelope format as on SeaweedFS and the fallback volume (docs/encryption.md), under the
 * active key and bound to the target, as {@code blobs/<hash>.enc}: a backup is never the one
 * place the plaintext sits. Otherwise as it is, {@code blobs/<hash>}. Reads take whichever
 * is there, so backups taken before encryption was turned on stay restorable.
 */
@Singleton
final class BackupBlobs {

    private final BlobEncryption encryption;

    BackupBlobs(BlobEncryption encryption) {
        this.encryption = encryption;
    }

    /** True when {@code names} (from {@link BackupTarget#blobNames}) holds this content in either form. */
    static boolean present(Set<String> names, String hash) {
        return names.contains(hash) || names.contains(hash + BlobEncryption.ENCRYPTED_SUFFIX);
    }

    /** The hash a listed blob name stands for. */
    static String hashOf(String name) {
        return name.endsWith(BlobEncryption.ENCRYPTED_SUFFIX) ? name.substring(0, name.length() - BlobEncryption.ENCRYPTED_SUFFIX.length()) : name;
    }

    /** Writes {@code plaintext} ({@code size} bytes, SHA-256 {@code hash}), sealed when the policy encrypts. */
    void write(BackupTarget target, String hash, long size, InputStream plaintext) {
        if (encryption.encryptsWrites()) {
            var sealing = encryption.seal(target.sealingBinding(), new ContentHash(hash), size);
            target.put(target.sealedBlobKey(hash), sealing.encrypt(plaintext), sealing.storedSize());
        } else {
            target.put(target.blobKey(hash), plaintext, size);
        }
    }

    /** The plaintext of a blob, opened and (when sealed) its key unwrapped before this returns. */
    InputStream open(BackupTarget target, String hash) throws IOException {
        if (encryption.readsEncrypted() && target.exists(target.sealedBlobKey(hash))) {
            return encryption.open(target.sealingBinding(), new ContentHash(hash), target.sealedSource(hash), 0, -1);
        }
        if (!encryption.readsEncrypted() && target.exists(target.sealedBlobKey(hash))) {
            throw new IllegalStateException("blob " + hash + " of this backup is encrypted, and this agent has no encryption key "
                + "(kelp.encryption): restore with the policy's key Secret mounted");
        }
        return target.open(target.blobKey(hash));
    }

    /** Removes the blob in whichever form it is kept. */
    static void delete(BackupTarget target, String name) {
        target.deleteBlob(name);
    }
}
