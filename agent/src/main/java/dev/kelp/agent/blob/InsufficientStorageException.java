package dev.kelp.agent.blob;

import dev.kelp.agent.object.KelpException;

/** 507: the fallback volume is full (or at its configured limit); nothing was stored. */
public class InsufficientStorageException extends KelpException {

    public InsufficientStorageException(String message) {
        super(507, "InsufficientStorage", message);
    }
}
