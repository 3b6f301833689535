package dev.kelp.agent.blob;

import dev.kelp.agent.object.KelpException;

/**
 * Bytes about to be stored do not hash to the blob's name: SeaweedFS checked the SHA-256 the
 * agent sent with them and refused them (BadDigest). Not an outage, so not a reason to fall
 * back: the fallback volume would take the same wrong bytes. A write that meets this fails,
 * unacknowledged and with nothing stored; the sync drain treats it as a damaged local copy.
 */
public class BlobContentMismatchException extends KelpException {

    public BlobContentMismatchException(String message) {
        super(500, "BlobCorrupt", message);
    }
}
