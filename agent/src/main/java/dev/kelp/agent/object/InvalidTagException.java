package dev.kelp.agent.object;

/** A tag set that breaks S3's rules ({@link ObjectTags}): 400, and nothing is changed. */
public class InvalidTagException extends KelpException {

    public InvalidTagException(String message) {
        super(400, "InvalidTag", message);
    }
}
