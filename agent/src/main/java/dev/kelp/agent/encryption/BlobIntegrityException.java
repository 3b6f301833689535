package dev.kelp.agent.encryption;

import dev.kelp.agent.object.ContentHash;
import dev.kelp.agent.object.KelpException;

/**
 * 500: an encrypted blob does not authenticate (a segment altered, moved, cut off; a header
 * or key record edited). Its bytes are never served: a read fails rather than return
 * anything that was not written.
 */
public class BlobIntegrityException extends KelpException {

    public BlobIntegrityException(String bucket, ContentHash hash, String why) {
        super(500, "BlobCorrupt", "encrypted blob " + hash + " of bucket " + bucket + " failed authentication: " + why);
    }
}
