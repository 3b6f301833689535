package dev.kelp.agent.s3;

import dev.kelp.agent.blob.BlobStaging;
import dev.kelp.agent.blob.StagedBlob;
import dev.kelp.agent.object.KelpException;
import dev.kelp.agent.object.ObjectNotFoundException;
import dev.kelp.agent.object.ObjectRecord;
import dev.kelp.agent.object.ObjectService;
import dev.kelp.agent.object.PutRequest;
import dev.kelp.agent.object.StorageConfig;
import dev.kelp.agent.versions.VersioningConfig;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * PutObject, GetObject, HeadObject, DeleteObject, DeleteObjects and CopyObject, each a thin
 * translation onto {@link ObjectService}: the same admission checks, staging, store, metadata,
 * cache and events as the native API.
 */
@Singleton
final class ObjectOperations {

    static final String META_PREFIX = "x-amz-meta-";
    static final String DEFAULT_CONTENT_TYPE = "binary/octet-stream";
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME;
    private static final int MAX_DELETE_KEYS = 1000;
    /** Declared sizes up to this are admitted once, after staging, instead of also before the body. */
    private static final long PRE_CHECK_ABOVE = 256 * 1024;
    /** Headers S3 keeps with an object and sends back on GET and HEAD. */
    static final List<String> STORED_HEADERS = List.of("cache-control", "content-disposition", "content-encoding", "content-language", "expires");
    /** Headers asking for something the engine does not do: refused rather than silently ignored. */
    private static final List<String> UNSUPPORTED_HEADERS = List.of("x-amz-server-side-encryption",
        "x-amz-server-side-encryption-customer-algorithm", "x-amz-server-side-encryption-aws-kms-key-id", "x-amz-object-lock-mode",
        "x-amz-object-lock-retain-until-date", "x-amz-object-lock-legal-hold", "x-amz-website-redirect-location");

    private final ObjectService objects;
    private final BlobStaging staging;
    private final StorageConfig storage;
    /** S3 names versions only in versioned buckets; an unversioned bucket's answers carry none. */
    private final boolean versioned;

    ObjectOperations(ObjectService objects, BlobStaging staging, StorageConfig storage, VersioningConfig versioning) {
        this.objects = objects;
        this.staging = staging;
        this.storage = storage;
        this.versioned = versioning.enabled();
    }

    S3Response put(S3Request request, SigV4Verifier.Verified verified, InputStream raw) {
        String bucket = request.bucket();
        String key = request.key();
        var meta = userMetadata(request);
        String ifMatch = request.header("if-match");
        if (ifMatch != null) {
            // The client's ETag may be the MD5 this door shows; the engine checks the SHA-256.
            ifMatch = currentMatching(bucket, key, ifMatch);
        }
        var admission = new PutRequest(bucket, key, contentType(request), RequestBodies.declaredLength(request, verified), meta, ifMatch,
            request.header("if-none-match"), S3Tagging.fromHeader(request));
        long declared = admission.declaredLength();
        if (declared < 0 || declared > PRE_CHECK_ABOVE) {
            // Refuse before the body is read when reading it would cost something; a small body is
            // cheaper to read than a second metadata round trip, and putStaged checks it all anyway.
            objects.checkAdmission(admission);
        }
        CheckedBody body = RequestBodies.decodeForStaging(request, verified, raw);
        ObjectRecord stored = store(admission, body);
        var response = S3Response.status(200).header("ETag", S3ETags.of(stored));
        return versioned ? response.header("x-amz-version-id", stored.version()) : response;
    }

    /** Stages {@code body} as the engine would, then stores it with its MD5 (the S3 ETag) recorded. */
    private ObjectRecord store(PutRequest request, CheckedBody body) {
        try (StagedBlob staged = stage(body, request.declaredLength())) {
            body.checkSha256(staged.hash());
            return objects.putStaged(request.withUserMetadata(S3ETags.withMd5(request.userMetadata(), body.md5Hex())), staged);
        }
    }

    private StagedBlob stage(CheckedBody body, long declaredLength) {
        try {
            return staging.stage(body, storage.maxObjectSize(), declaredLength);
        } catch (S3BodyException e) {
            throw e.error();
        } catch (IOException e) {
            if (body.failure() != null) {
                throw body.failure().error();
            }
            throw new S3Exception(400, "IncompleteBody", "the request body ended before it was complete: " + e.getMessage());
        }
    }

    S3Response get(S3Request request, boolean headOnly) {
        String versionId = request.param("versionId");
        ObjectRecord record = versionId == null || versionId.equals("null") ? objects.head(request.bucket(), request.key())
            : objects.headVersion(request.bucket(), request.key(), versionId);
        S3Response notModified = checkConditions(request, record);
        if (notModified != null) {
            return notModified;
        }
        S3Range range = S3Range.parse(request.header("range"), record.size());
        S3Response response;
        if (headOnly) {
            response = S3Response.head(range == null ? 200 : 206, range == null ? record.size() : range.length());
        } else if (range == null) {
            response = S3Response.stream(200, objects.open(record, 0, -1), record.size());
        } else {
            response = S3Response.stream(206, objects.open(record, range.offset(), range.length()), range.length());
        }
        if (range != null) {
            response.header("Content-Range", range.contentRange(record.size()));
        }
        describe(response, record);
        if (versioned) {
            response.header("x-amz-version-id", record.version());
        }
        override(response, request, "response-content-type", "Content-Type");
        override(response, request, "response-content-disposition", "Content-Disposition");
        override(response, request, "response-content-encoding", "Content-Encoding");
        override(response, request, "response-content-language", "Content-Language");
        override(response, request, "response-cache-control", "Cache-Control");
        override(response, request, "response-expires", "Expires");
        return response;
    }

    private static void override(S3Response response, S3Request request, String param, String header) {
        String value = request.param(param);
        if (value != null) {
            response.header(header, value);
        }
    }

    static void describe(S3Response response, ObjectRecord record) {
        response.header("ETag", S3ETags.of(record))
            .header("Last-Modified", httpDate(record.createdAt()))
            .header("Content-Type", record.contentType())
            .header("Accept-Ranges", "bytes");
        S3ETags.userMetadata(record).forEach((k, v) -> response.header(META_PREFIX + k, v));
        for (String name : STORED_HEADERS) {
            response.header(name, record.userMetadata().get(S3ETags.HEADER_PREFIX + name));
        }
        S3Tagging.count(response, record);
    }

    /** RFC 7232 order: If-Match, else If-Unmodified-Since (412); If-None-Match, else If-Modified-Since (304). */
    private static S3Response checkConditions(S3Request request, ObjectRecord record) {
        Instant modified = record.createdAt().truncatedTo(ChronoUnit.SECONDS);
        String ifMatch = request.header("if-match");
        if (ifMatch != null) {
            if (!S3ETags.matches(ifMatch, record)) {
                throw new S3Exception(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold: If-Match");
            }
        } else {
            Instant since = date(request.header("if-unmodified-since"));
            if (since != null && modified.isAfter(since)) {
                throw new S3Exception(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold: If-Unmodified-Since");
            }
        }
        String ifNoneMatch = request.header("if-none-match");
        boolean notModified;
        if (ifNoneMatch != null) {
            notModified = S3ETags.matches(ifNoneMatch, record);
        } else {
            Instant since = date(request.header("if-modified-since"));
            notModified = since != null && !modified.isAfter(since);
        }
        if (notModified) {
            return S3Response.status(304).header("ETag", S3ETags.of(record)).header("Last-Modified", httpDate(record.createdAt()));
        }
        return null;
    }

    S3Response delete(S3Request request) {
        String versionId = request.param("versionId");
        if (versionId != null && !versionId.equals("null")) {
            // DeleteObject with a versionId removes that version for good (a marker too: undeleting).
            var removed = objects.deleteVersion(request.bucket(), request.key(), versionId);
            var response = S3Response.status(204).header("x-amz-version-id", removed.version());
            return removed.deleteMarker() ? response.header("x-amz-delete-marker", "true") : response;
        }
        try {
            var deletion = objects.deleteObject(request.bucket(), request.key());
            if (deletion.markerVersion() != null) {
                return S3Response.status(204).header("x-amz-delete-marker", "true").header("x-amz-version-id", deletion.markerVersion());
            }
        } catch (ObjectNotFoundException alreadyGone) {
            // S3's DELETE is idempotent: deleting what is not there succeeds.
        }
        return S3Response.status(204);
    }

    S3Response deleteMany(S3Request request, SigV4Verifier.Verified verified, InputStream raw) throws IOException {
        CheckedBody body = RequestBodies.decode(request, verified, raw);
        byte[] xml;
        try {
            xml = Xml.readBody(body);
        } catch (S3BodyException e) {
            throw e.error();
        }
        Xml.Parsed parsed = Xml.parse(xml, "Delete", "Object");
        if (parsed.records().isEmpty() || parsed.records().size() > MAX_DELETE_KEYS) {
            throw S3Exception.malformedXml("a DeleteObjects request names 1 to " + MAX_DELETE_KEYS + " objects, not " + parsed.records().size());
        }
        objects.list(request.bucket(), "", null, 1); // NoSuchBucket for the whole request, before any key
        boolean quiet = "true".equalsIgnoreCase(parsed.top().get("Quiet"));
        var out = new Xml.Writer("DeleteResult");
        for (Map<String, String> entry : parsed.records()) {
            String key = entry.get("Key");
            if (key == null) {
                throw S3Exception.malformedXml("every <Object> of a DeleteObjects request needs a <Key>");
            }
            try {
                objects.delete(request.bucket(), key);
                if (!quiet) {
                    out.start("Deleted").element("Key", key).end();
                }
            } catch (ObjectNotFoundException alreadyGone) {
                if (!quiet) {
                    out.start("Deleted").element("Key", key).end();
                }
            } catch (KelpException e) {
                S3Exception s3 = S3Errors.of(e);
                out.start("Error").element("Key", key).element("Code", s3.code()).element("Message", s3.getMessage()).end();
            }
        }
        return S3Response.ok(out);
    }

    /** CopyObject: the source's bytes through the same staging and store as a PUT (dedup makes it cheap). */
    S3Response copy(S3Request request) {
        CopySource source = CopySource.parse(request.header("x-amz-copy-source"));
        ObjectRecord from = objects.head(source.bucket(), source.key());
        checkCopyConditions(request, from);
        String directive = request.header("x-amz-metadata-directive");
        boolean replace = directive != null && directive.equalsIgnoreCase("REPLACE");
        if (directive != null && !replace && !directive.equalsIgnoreCase("COPY")) {
            throw S3Exception.invalidArgument("x-amz-metadata-directive must be COPY or REPLACE, not " + directive);
        }
        if (!replace && source.bucket().equals(request.bucket()) && source.key().equals(request.key())) {
            throw S3Exception.invalidRequest("This copy request is illegal because it is trying to copy an object to itself without"
                + " changing the object's metadata (use x-amz-metadata-directive: REPLACE)");
        }
        Map<String, String> meta = replace ? userMetadata(request) : S3ETags.withoutMd5(from);
        String contentType = replace ? contentType(request) : from.contentType();
        String tagging = request.header("x-amz-tagging-directive");
        boolean replaceTags = tagging != null && tagging.equalsIgnoreCase("REPLACE");
        if (tagging != null && !replaceTags && !tagging.equalsIgnoreCase("COPY")) {
            throw S3Exception.invalidArgument("x-amz-tagging-directive must be COPY or REPLACE, not " + tagging);
        }
        // As S3: the source's tags by default; with REPLACE, those of x-amz-tagging (none without it).
        Map<String, String> tags = replaceTags ? S3Tagging.fromHeader(request) : from.tags();
        var admission = new PutRequest(request.bucket(), request.key(), contentType, from.size(), meta, null, null, tags);
        objects.checkAdmission(admission);
        ObjectRecord stored;
        try (InputStream content = objects.open(from, 0, -1)) {
            stored = store(admission, new CheckedBody(content, null, null, null, null, from.size()));
        } catch (IOException e) {
            throw new S3Exception(500, "InternalError", "reading the copy source failed: " + e.getMessage());
        }
        var response = S3Response.ok(new Xml.Writer("CopyObjectResult")
            .element("LastModified", isoDate(stored.createdAt()))
            .element("ETag", S3ETags.of(stored)));
        return versioned ? response.header("x-amz-version-id", stored.version()).header("x-amz-copy-source-version-id", from.version())
            : response;
    }

    static void checkCopyConditions(S3Request request, ObjectRecord from) {
        Instant modified = from.createdAt().truncatedTo(ChronoUnit.SECONDS);
        String ifMatch = request.header("x-amz-copy-source-if-match");
        if (ifMatch != null && !S3ETags.matches(ifMatch, from)) {
            throw new S3Exception(412, "PreconditionFailed", "x-amz-copy-source-if-match did not hold");
        }
        String ifNoneMatch = request.header("x-amz-copy-source-if-none-match");
        if (ifNoneMatch != null && S3ETags.matches(ifNoneMatch, from)) {
            throw new S3Exception(412, "PreconditionFailed", "x-amz-copy-source-if-none-match did not hold");
        }
        Instant unmodifiedSince = date(request.header("x-amz-copy-source-if-unmodified-since"));
        if (unmodifiedSince != null && modified.isAfter(unmodifiedSince)) {
            throw new S3Exception(412, "PreconditionFailed", "x-amz-copy-source-if-unmodified-since did not hold");
        }
        Instant modifiedSince = date(request.header("x-amz-copy-source-if-modified-since"));
        if (modifiedSince != null && !modified.isAfter(modifiedSince)) {
            throw new S3Exception(412, "PreconditionFailed", "x-amz-copy-source-if-modified-since did not hold");
        }
    }

    private String currentMatching(String bucket, String key, String ifMatch) {
        try {
            ObjectRecord current = objects.head(bucket, key);
            return S3ETags.matches(ifMatch, current) ? current.hash().hex() : ifMatch;
        } catch (ObjectNotFoundException e) {
            throw new S3Exception(412, "PreconditionFailed", "If-Match: there is no object " + key + " to match");
        }
    }

    /** The client's x-amz-meta-* headers, plus the standard headers S3 stores, as the engine's user metadata. */
    static Map<String, String> userMetadata(S3Request request) {
        Map<String, String> meta = new HashMap<>();
        for (Map.Entry<String, String> h : request.headers()) {
            String lower = h.getKey().toLowerCase(Locale.ROOT);
            if (UNSUPPORTED_HEADERS.contains(lower)) {
                throw S3Exception.notImplemented("the " + lower + " header");
            }
            if (lower.startsWith(META_PREFIX) && lower.length() > META_PREFIX.length()) {
                String name = lower.substring(META_PREFIX.length());
                if (S3ETags.reserved(name)) {
                    throw S3Exception.invalidArgument("x-amz-meta-" + name + " is reserved by the Kelp agent");
                }
                meta.merge(name, h.getValue(), (a, b) -> a + "," + b);
            }
        }
        for (String name : STORED_HEADERS) {
            String value = request.header(name);
            if (name.equals("content-encoding") && value != null) {
                // aws-chunked is the framing of this request's body, not an encoding of the object.
                value = java.util.Arrays.stream(value.split(",")).map(String::strip)
                    .filter(v -> !v.isEmpty() && !v.equalsIgnoreCase("aws-chunked")).reduce((a, b) -> a + "," + b).orElse(null);
            }
            if (value != null && !value.isBlank()) {
                meta.put(S3ETags.HEADER_PREFIX + name, value);
            }
        }
        return meta;
    }

    static String contentType(S3Request request) {
        String type = request.header("content-type");
        return type == null || type.isBlank() ? DEFAULT_CONTENT_TYPE : type;
    }

    static String httpDate(Instant instant) {
        return HTTP_DATE.format(ZonedDateTime.ofInstant(instant, ZoneOffset.UTC));
    }

    static String isoDate(Instant instant) {
        return DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.MILLIS));
    }

    private static Instant date(String header) {
        if (header == null) {
            return null;
        }
        try {
            return ZonedDateTime.parse(header.strip(), HTTP_DATE).toInstant();
        } catch (DateTimeParseException e) {
            // As HTTP says: a date that cannot be parsed is ignored.
            return null;
        }
    }

    /** {@code x-amz-copy-source}: {@code [/]bucket/key}, URL-encoded, without versions (Kelp's versions are not S3's yet). */
    record CopySource(String bucket, String key) {

        static CopySource parse(String header) {
            if (header == null || header.isBlank()) {
                throw S3Exception.invalidArgument("x-amz-copy-source is empty");
            }
            String value = header.strip();
            int q = value.indexOf('?');
            if (q >= 0) {
                if (!value.substring(q + 1).startsWith("versionId=null")) {
                    throw S3Exception.notImplemented("copying a version other than the current one");
                }
                value = value.substring(0, q);
            }
            String decoded = S3Request.decodePath(value);
            if (decoded.startsWith("/")) {
                decoded = decoded.substring(1);
            }
            int slash = decoded.indexOf('/');
            if (slash <= 0 || slash == decoded.length() - 1) {
                throw S3Exception.invalidArgument("x-amz-copy-source must be <bucket>/<key>, not " + header);
            }
            return new CopySource(decoded.substring(0, slash), decoded.substring(slash + 1));
        }
    }

    List<String> buckets() {
        return storage.buckets();
    }
}
