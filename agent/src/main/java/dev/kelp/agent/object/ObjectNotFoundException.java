package dev.kelp.agent.object;

/** 404: no such object in the bucket. */
public class ObjectNotFoundException extends KelpException {

    public ObjectNotFoundException(String bucket, String key) {
        super(404, "NoSuchKey", "no object " + key + " in bucket " + bucket);
    }
}
