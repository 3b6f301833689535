package dev.kelp.agent.multipart;

import dev.kelp.agent.object.ContentHash;
import io.micronaut.serde.annotation.Serdeable;

/**
 * One uploaded part as the manifest records it. Its file on the fallback volume is named by
 * number and SHA-256 ({@link #fileName()}), so a replacement never overwrites the file the
 * manifest still points at: the manifest's atomic rewrite is what switches from one to the other.
 *
 * @param partNumber 1 to {@link UploadManifest#MAX_PARTS}
 * @param size       bytes in the part
 * @param sha256     lower-case hex SHA-256 of the part: its ETag
 */
@Serdeable
public record PartInfo(int partNumber, long size, String sha256) {

    public PartInfo {
        UploadManifest.requirePartNumber(partNumber);
        if (size < 0) {
            throw new IllegalArgumentException("part size must not be negative: " + size);
        }
        new ContentHash(sha256);
    }

    public ContentHash hash() {
        return new ContentHash(sha256);
    }

    public String fileName() {
        return "%05d-%s.part".formatted(partNumber, sha256);
    }
}
