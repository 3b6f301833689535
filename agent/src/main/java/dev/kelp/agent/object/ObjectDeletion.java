package dev.kelp.agent.object;

/**
 * What a delete did.
 *
 * @param removed       the version that was current
 * @param markerVersion the delete marker it left (versioning on), or null: the object is gone for good
 */
public record ObjectDeletion(ObjectRecord removed, String markerVersion) {
}
