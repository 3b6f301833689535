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
 * @param md5        lower-case hex MD5 of the part, when the door that took it computed one as it
 *                   streamed (the S3 endpoint: S3's part ETag, and what its multipart ETag is made
 *                   of); null for parts of the native API and manifests written before it was kept
 */
@Serdeable
public record PartInfo(int partNumber, long size, String sha256, @io.micronaut.core.annotation.Nullable String md5) {

    public PartInfo {
        UploadManifest.requirePartNumber(partNumber);
        if (size < 0) {
            throw new IllegalArgumentException("part size must not be negative: " + size);
        }
        new ContentHash(sha256);
        if (md5 != null && !md5.matches("[0-9a-f]{32}")) {
            throw new IllegalArgumentException("not a lower-case hex MD5: " + md5);
        }
    }

    /** A part whose MD5 is not known. */
    public PartInfo(int partNumber, long size, String sha256) {
        this(partNumber, size, sha256, null);
    }

    public ContentHash hash() {
        return new ContentHash(sha256);
    }

    public String fileName() {
        return "%05d-%s.part".formatted(partNumber, sha256);
    }
}
