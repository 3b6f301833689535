package dev.kelp.agent.object;

/**
 * 500: metadata names a blob that neither store holds. Never expected; reported loudly
 * with what is known so an operator can look for it.
 */
public class BlobMissingException extends KelpException {

    public BlobMissingException(ObjectRecord record) {
        super(500, "BlobMissing", "content " + record.hash() + " of " + record.bucket() + "/" + record.key()
            + " is in neither the fallback volume nor SeaweedFS");
    }
}
