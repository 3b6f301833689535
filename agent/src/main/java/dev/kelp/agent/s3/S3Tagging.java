package dev.kelp.agent.s3;

import dev.kelp.agent.object.ObjectRecord;
import dev.kelp.agent.object.ObjectService;
import dev.kelp.agent.object.ObjectTags;
import dev.kelp.agent.versions.VersioningConfig;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/**
 * Object tagging: GetObjectTagging, PutObjectTagging and DeleteObjectTagging (each also of one
 * version, {@code ?versionId=}), and the {@code x-amz-tagging} header of the writes, onto the
 * engine's per-version tag sets ({@link ObjectService#putTags}). A tag set that breaks S3's rules
 * is {@code InvalidTag} and a body that is not a {@code <Tagging>} document {@code MalformedXML},
 * both before anything is changed.
 */
@Singleton
final class S3Tagging {

    static final String HEADER = "x-amz-tagging";

    private final ObjectService objects;
    private final boolean versioned;

    S3Tagging(ObjectService objects, VersioningConfig versioning) {
        this.objects = objects;
        this.versioned = versioning.enabled();
    }

    /** The checked tag set of a write's {@code x-amz-tagging} header; empty without one. */
    static Map<String, String> fromHeader(S3Request request) {
        return ObjectTags.parseQuery(request.header(HEADER));
    }

    /** {@code x-amz-tagging-count} on GetObject and HeadObject, as S3 sends it: only when there are tags. */
    static void count(S3Response response, ObjectRecord record) {
        if (!record.tags().isEmpty()) {
            response.header("x-amz-tagging-count", Integer.toString(record.tags().size()));
        }
    }

    S3Response get(S3Request request) {
        ObjectRecord record = target(request);
        var out = new Xml.Writer("Tagging").start("TagSet");
        record.tags().forEach((k, v) -> out.start("Tag").element("Key", k).element("Value", v).end());
        out.end();
        return versionHeader(S3Response.ok(out), record);
    }

    S3Response put(S3Request request, SigV4Verifier.Verified verified, InputStream raw) throws IOException {
        byte[] xml;
        try {
            xml = Xml.readBody(RequestBodies.decode(request, verified, raw));
        } catch (S3BodyException e) {
            throw e.error();
        }
        // Parsed and checked whole before the object is looked at: a bad set changes nothing.
        Map<String, String> tags = ObjectTags.of(Xml.parseTagging(xml));
        ObjectRecord tagged = objects.putTags(request.bucket(), request.key(), versionId(request), tags);
        return versionHeader(S3Response.status(200), tagged);
    }

    S3Response delete(S3Request request) {
        ObjectRecord untagged = objects.putTags(request.bucket(), request.key(), versionId(request), Map.of());
        return versionHeader(S3Response.status(204), untagged);
    }

    private ObjectRecord target(S3Request request) {
        String versionId = versionId(request);
        return versionId == null ? objects.head(request.bucket(), request.key())
            : objects.headVersion(request.bucket(), request.key(), versionId);
    }

    /** The version a request names; null for the current one ({@code versionId=null} is S3's name for it, unversioned). */
    private static String versionId(S3Request request) {
        String versionId = request.param("versionId");
        return versionId == null || versionId.equals("null") ? null : versionId;
    }

    private S3Response versionHeader(S3Response response, ObjectRecord record) {
        return versioned ? response.header("x-amz-version-id", record.version()) : response;
    }
}
