package dev.kelp.agent.object;

import java.util.Map;

/**
 * A write as either door (native API or S3) hands it to the engine.
 *
 * @param declaredLength Content-Length the client declared, or -1 when it streams without one
 * @param ifMatch        ETag the current version must have (optimistic concurrency), or null
 * @param ifNoneMatch    "*" to create only when absent, or null
 */
public record PutRequest(
    String bucket,
    String key,
    String contentType,
    long declaredLength,
    Map<String, String> userMetadata,
    String ifMatch,
    String ifNoneMatch) {

    public PutRequest {
        userMetadata = Map.copyOf(userMetadata);
    }
}
