package dev.kelp.agent.object;

/**
 * 404 for a key whose latest version is a delete marker: still "no such object" to a client
 * that does not care about versions, but it can tell (and undo the delete with a rollback).
 */
public final class DeletedObjectException extends ObjectNotFoundException {

    private final String markerVersion;

    public DeletedObjectException(String bucket, String key, String markerVersion) {
        super(bucket, key);
        this.markerVersion = markerVersion;
    }

    public String markerVersion() {
        return markerVersion;
    }
}
