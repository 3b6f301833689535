package dev.kelp.agent.object;

import java.util.Map;

/**
 * A write as either door (native API or S3) hands it to the engine.
 *
 * @param declaredLength Content-Length the client declared, or -1 when it streams without one
 * @param ifMatch        ETag the current version must have (optimistic concurrency), or null
 * @param ifNoneMatch    "*" to create only when absent, or null
 * @param tags           the tag set of the version the write makes ({@link ObjectTags}, checked); empty for none
 */
public record PutRequest(
    String bucket,
    String key,
    String contentType,
    long declaredLength,
    Map<String, String> userMetadata,
    String ifMatch,
    String ifNoneMatch,
    Map<String, String> tags) {

    public PutRequest {
        userMetadata = Map.copyOf(userMetadata);
        tags = ObjectTags.copyOf(tags);
    }

    /** A write without tags. */
    public PutRequest(String bucket, String key, String contentType, long declaredLength, Map<String, String> userMetadata,
                      String ifMatch, String ifNoneMatch) {
        this(bucket, key, contentType, declaredLength, userMetadata, ifMatch, ifNoneMatch, Map.of());
    }

    public PutRequest withUserMetadata(Map<String, String> metadata) {
        return new PutRequest(bucket, key, contentType, declaredLength, metadata, ifMatch, ifNoneMatch, tags);
    }
}
