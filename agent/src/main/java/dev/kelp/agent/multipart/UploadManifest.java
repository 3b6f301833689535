package dev.kelp.agent.multipart;

import dev.kelp.agent.object.ObjectKeys;
import io.micronaut.serde.annotation.Serdeable;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Everything the agent knows about one open multipart upload: what object it will become and
 * which parts it has. Immutable: each change is a new manifest, written atomically over the
 * old one, so after a crash the file on disk is one consistent state or the other.
 *
 * @param uploadId    {@code mpu_} and 32 hex digits; the underscore keeps it from ever being a
 *                    bucket name, so {@code /v1/uploads/{uploadId}/complete} cannot be read as
 *                    initiating an upload of key {@code complete}
 * @param createOnly  initiated with {@code If-None-Match: *}: complete fails if the key exists by then
 * @param parts       in ascending part number, each number once
 * @param tags        the tag set the object gets when the upload completes (S3's x-amz-tagging on
 *                    CreateMultipartUpload); empty for none, null in manifests written before tags
 * @param owner       the owner that initiated it (docs/access-control.md): only it sees and
 *                    completes the upload; null in manifests older than owners (the default owner)
 */
@Serdeable
public record UploadManifest(
    String uploadId,
    String bucket,
    String key,
    String contentType,
    Map<String, String> userMetadata,
    boolean createOnly,
    Instant initiatedAt,
    List<PartInfo> parts,
    @io.micronaut.core.annotation.Nullable Map<String, String> tags,
    @io.micronaut.core.annotation.Nullable String owner) {

    public static final int MAX_PARTS = 10_000;
    private static final Pattern UPLOAD_ID = Pattern.compile("mpu_[0-9a-f]{32}");
    private static final SecureRandom RANDOM = new SecureRandom();

    public UploadManifest {
        if (!isUploadId(uploadId)) {
            throw new IllegalArgumentException("not an upload id: " + uploadId);
        }
        ObjectKeys.requireValidBucket(bucket);
        ObjectKeys.requireValidKey(key);
        if (contentType == null || initiatedAt == null) {
            throw new IllegalArgumentException("contentType and initiatedAt are required");
        }
        userMetadata = userMetadata == null ? Map.of() : Map.copyOf(userMetadata);
        parts = parts == null ? List.of() : List.copyOf(parts);
        tags = dev.kelp.agent.object.ObjectTags.copyOf(tags);
        for (int i = 1; i < parts.size(); i++) {
            if (parts.get(i - 1).partNumber() >= parts.get(i).partNumber()) {
                throw new IllegalArgumentException("parts must be in strictly ascending order: " + parts);
            }
        }
    }

    public static UploadManifest initiate(String bucket, String key, String contentType, Map<String, String> userMetadata,
                                          boolean createOnly, Instant now) {
        return initiate(bucket, key, contentType, userMetadata, createOnly, now, Map.of(), null);
    }

    /**
     * @param tags  the tag set the object gets on complete (empty for none)
     * @param owner the initiating owner; null for the default owner
     */
    public static UploadManifest initiate(String bucket, String key, String contentType, Map<String, String> userMetadata,
                                          boolean createOnly, Instant now, Map<String, String> tags, String owner) {
        byte[] id = new byte[16];
        RANDOM.nextBytes(id);
        return new UploadManifest("mpu_" + HexFormat.of().formatHex(id), bucket, key, contentType, userMetadata,
            createOnly, now, List.of(), tags, owner);
    }

    /** The owner, the default one for manifests older than owners. */
    public String ownerOrDefault() {
        return owner == null ? dev.kelp.agent.access.Caller.DEFAULT_OWNER : owner;
    }

    /** True for a well-formed id; anything else cannot name an upload (nor a path on disk). */
    public static boolean isUploadId(String candidate) {
        return candidate != null && UPLOAD_ID.matcher(candidate).matches();
    }

    public static int requirePartNumber(int partNumber) {
        if (partNumber < 1 || partNumber > MAX_PARTS) {
            throw UploadRefusedException.invalidPartNumber(Integer.toString(partNumber));
        }
        return partNumber;
    }

    /** Parses a part number from a URL; 400 unless it is an integer in range. */
    public static int parsePartNumber(String text) {
        try {
            return requirePartNumber(Integer.parseInt(text));
        } catch (NumberFormatException e) {
            throw UploadRefusedException.invalidPartNumber(text);
        }
    }

    public Optional<PartInfo> part(int partNumber) {
        return parts.stream().filter(p -> p.partNumber() == partNumber).findFirst();
    }

    /** This manifest with {@code part} added, or in place of the part with its number. */
    public UploadManifest withPart(PartInfo part) {
        List<PartInfo> next = new ArrayList<>(parts.size() + 1);
        boolean placed = false;
        for (PartInfo p : parts) {
            if (!placed && p.partNumber() >= part.partNumber()) {
                next.add(part);
                placed = true;
                if (p.partNumber() == part.partNumber()) {
                    continue;
                }
            }
            next.add(p);
        }
        if (!placed) {
            next.add(part);
        }
        return new UploadManifest(uploadId, bucket, key, contentType, userMetadata, createOnly, initiatedAt, next, tags, owner);
    }

    /** This manifest with exactly {@code keep} as its parts (a restart dropping parts whose file is gone). */
    public UploadManifest withParts(List<PartInfo> keep) {
        return new UploadManifest(uploadId, bucket, key, contentType, userMetadata, createOnly, initiatedAt, keep, tags, owner);
    }

    public long totalSize() {
        return parts.stream().mapToLong(PartInfo::size).sum();
    }

    /** Bytes of every part but {@code partNumber}: what a new upload of that number adds to. */
    public long sizeWithout(int partNumber) {
        return parts.stream().filter(p -> p.partNumber() != partNumber).mapToLong(PartInfo::size).sum();
    }

    public Instant expiresAt(Duration maxAge) {
        return initiatedAt.plus(maxAge);
    }

    /**
     * The parts a complete request names, in its order, checked against what this upload
     * holds. As in S3, parts uploaded but not named are left out of the object, and numbers
     * may have gaps; but the list must not be empty, must ascend strictly, and each entry's
     * ETag must be that of the part held under its number.
     */
    public List<PartInfo> select(List<CompletedPart> requested) {
        if (requested == null || requested.isEmpty()) {
            throw UploadRefusedException.malformed("the part list is empty: name at least one part as {\"partNumber\": n, \"etag\": \"...\"}");
        }
        List<PartInfo> selected = new ArrayList<>(requested.size());
        int previous = 0;
        for (int i = 0; i < requested.size(); i++) {
            CompletedPart entry = requested.get(i);
            if (entry == null || entry.partNumber() == null || entry.etag() == null) {
                throw UploadRefusedException.invalidPart("entry " + i + " of the part list needs both partNumber and etag");
            }
            int number = entry.partNumber();
            if (number < 1 || number > MAX_PARTS) {
                throw UploadRefusedException.invalidPart("entry " + i + " names part " + number + ", outside 1.." + MAX_PARTS);
            }
            if (number <= previous) {
                throw UploadRefusedException.invalidPartOrder("part " + number + " follows part " + previous
                    + ": the list must be in strictly ascending part number, each part once");
            }
            previous = number;
            PartInfo held = part(number).orElseThrow(() ->
                UploadRefusedException.invalidPart("part " + number + " was never uploaded to " + uploadId));
            if (!normalise(entry.etag()).equals(held.sha256())) {
                throw UploadRefusedException.invalidPart("part " + number + " has ETag \"" + held.sha256() + "\", not " + entry.etag()
                    + ": it was uploaded again since, or the list is wrong");
            }
            selected.add(held);
        }
        return List.copyOf(selected);
    }

    private static String normalise(String etag) {
        String tag = etag.trim();
        if (tag.startsWith("W/")) {
            tag = tag.substring(2);
        }
        return tag.replace("\"", "").toLowerCase(Locale.ROOT);
    }
}
