package dev.kelp.agent.object;

/** 400: the bucket name or key breaks a rule of {@link ObjectKeys}. */
public class InvalidKeyException extends KelpException {

    public InvalidKeyException(String message) {
        super(400, "InvalidKey", message);
    }
}
