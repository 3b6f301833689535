package dev.kelp.agent.blob;

import dev.kelp.agent.object.ContentHash;

/** The blob is not in this store (it may be in another). */
public class BlobNotFoundException extends RuntimeException {

    public BlobNotFoundException(String bucket, ContentHash hash) {
        super("blob " + hash + " is not in bucket " + bucket);
    }
}
