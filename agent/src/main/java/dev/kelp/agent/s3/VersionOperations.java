package dev.kelp.agent.s3;

import dev.kelp.agent.metadata.MetadataStore.VersionCursor;
import dev.kelp.agent.object.ObjectService;
import dev.kelp.agent.object.ObjectVersion;
import dev.kelp.agent.object.VersionPage;
import dev.kelp.agent.versions.VersioningConfig;
import jakarta.inject.Singleton;

/**
 * S3's versioning calls, mapped onto Kelp's versions (docs/versions.md): GetBucketVersioning
 * says what the StoragePolicy set, ListObjectVersions lists the engine's versions and delete
 * markers, and a {@code versionId} on GET, HEAD or DELETE addresses one version. Versioning
 * is the policy's to switch ({@code spec.versioning}), so PutBucketVersioning only confirms it.
 */
@Singleton
final class VersionOperations {

    static final int MAX_KEYS = 1000;

    private final ObjectService objects;
    private final VersioningConfig versioning;

    VersionOperations(ObjectService objects, VersioningConfig versioning) {
        this.objects = objects;
        this.versioning = versioning;
    }

    boolean enabled() {
        return versioning.enabled();
    }

    S3Response getVersioning(String bucket) {
        objects.list(bucket, "", null, 1); // NoSuchBucket before anything else
        var out = new Xml.Writer("VersioningConfiguration");
        if (versioning.enabled()) {
            out.element("Status", "Enabled");
        }
        return S3Response.ok(out);
    }

    S3Response putVersioning(S3Request request, byte[] body) {
        objects.list(request.bucket(), "", null, 1);
        Xml.Parsed parsed = Xml.parse(body, "VersioningConfiguration", "MfaDelete");
        String asked = parsed.top().get("Status");
        boolean wantsEnabled = "Enabled".equals(asked);
        if (!"Enabled".equals(asked) && !"Suspended".equals(asked)) {
            throw S3Exception.malformedXml("VersioningConfiguration's Status is Enabled or Suspended, not " + asked);
        }
        if (wantsEnabled != versioning.enabled()) {
            throw new S3Exception(400, "InvalidRequest", "versioning of this bucket is " + (versioning.enabled() ? "Enabled" : "off")
                + " by its StoragePolicy (spec.versioning); a platform team changes it there, not through the S3 API");
        }
        return S3Response.status(200);
    }

    /** ListObjectVersions: key order, newest first within a key; markers as S3 spells them. */
    S3Response list(S3Request request) {
        if (request.param("delimiter") != null) {
            throw S3Exception.notImplemented("ListObjectVersions with a delimiter");
        }
        String prefix = request.param("prefix") == null ? "" : request.param("prefix");
        int maxKeys = maxKeys(request.param("max-keys"));
        String keyMarker = request.param("key-marker");
        String versionMarker = request.param("version-id-marker");
        VersionCursor after = keyMarker == null || keyMarker.isEmpty() ? null : resumeAfter(request.bucket(), keyMarker, versionMarker);
        VersionPage page = objects.listVersions(request.bucket(), prefix, after, maxKeys);

        var out = new Xml.Writer("ListVersionsResult");
        out.element("Name", request.bucket()).element("Prefix", prefix)
            .element("KeyMarker", keyMarker == null ? "" : keyMarker).element("VersionIdMarker", versionMarker == null ? "" : versionMarker)
            .element("MaxKeys", maxKeys).element("IsTruncated", page.next() != null);
        if (page.next() != null) {
            ObjectVersion last = page.versions().getLast();
            out.element("NextKeyMarker", last.key()).element("NextVersionIdMarker", last.version());
        }
        for (ObjectVersion v : page.versions()) {
            out.start(v.deleteMarker() ? "DeleteMarker" : "Version")
                .element("Key", v.key()).element("VersionId", v.version()).element("IsLatest", v.latest())
                .element("LastModified", ObjectOperations.isoDate(v.createdAt()));
            if (!v.deleteMarker()) {
                out.element("ETag", S3ETags.of(v.object())).element("Size", v.object().size()).element("StorageClass", "STANDARD");
            }
            out.start("Owner").element("ID", "kelp").element("DisplayName", "kelp").end();
            out.end();
        }
        return S3Response.ok(out);
    }

    /** S3 resumes after (key-marker, version-id-marker); the engine after (key, sequence). */
    private VersionCursor resumeAfter(String bucket, String keyMarker, String versionMarker) {
        if (versionMarker == null || versionMarker.isEmpty()) {
            return new VersionCursor(keyMarker, 0); // after every version of keyMarker
        }
        ObjectVersion marker;
        try {
            marker = objects.version(bucket, keyMarker, versionMarker);
        } catch (RuntimeException e) {
            throw new S3Exception(400, "InvalidArgument", "version-id-marker " + versionMarker + " is not a version of key-marker " + keyMarker);
        }
        return new VersionCursor(keyMarker, marker.sequence());
    }

    private static int maxKeys(String asked) {
        if (asked == null) {
            return MAX_KEYS;
        }
        try {
            int n = Integer.parseInt(asked);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return Math.min(n == 0 ? 1 : n, MAX_KEYS);
        } catch (NumberFormatException e) {
            throw new S3Exception(400, "InvalidArgument", "max-keys must be a whole number of 0 or more, not " + asked);
        }
    }
}
