package dev.kelp.agent.blob;

import dev.kelp.agent.object.KelpException;

/** 413: the request body is larger than this request may be; nothing was stored. */
public class PayloadTooLargeException extends KelpException {

    public PayloadTooLargeException(long maxBytes) {
        super(413, "EntityTooLarge", "the request body is larger than the limit of " + maxBytes + " bytes");
    }
}
