package dev.kelp.agent.s3;

import dev.kelp.agent.multipart.CompletedPart;
import dev.kelp.agent.multipart.MultipartService;
import dev.kelp.agent.multipart.PartInfo;
import dev.kelp.agent.multipart.UploadManifest;
import dev.kelp.agent.multipart.UploadRefusedException;
import dev.kelp.agent.multipart.UploadStore;
import dev.kelp.agent.object.ObjectRecord;
import dev.kelp.agent.object.ObjectService;
import dev.kelp.agent.object.PutRequest;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The multipart family onto {@link MultipartService}, the engine the native API's uploads use:
 * parts durable on the fallback volume, the completed object stored through the same path as
 * a PUT. A part's ETag is the MD5 of its bytes, as S3 clients (s3cmd) check, computed as the part
 * streams and kept in the upload's manifest; the engine knows parts by SHA-256, so a complete's
 * part list is translated (SHA-256 ETags are accepted too). The completed object's ETag is S3's
 * multipart ETag ({@link S3ETags#multipart}), made of those MD5s: rclone, for one, compares it
 * with what it computed from the parts it sent. A part recorded without an MD5 (a manifest of an
 * older agent, a part sent through the native API) has its file hashed once when needed.
 */
@Singleton
final class MultipartOperations {

    private static final int MAX_PARTS_LISTED = 1000;

    private final MultipartService multipart;
    private final ObjectService objects;
    private final UploadStore store;
    private final boolean versioned;

    MultipartOperations(MultipartService multipart, ObjectService objects, UploadStore store,
                        dev.kelp.agent.versions.VersioningConfig versioning) {
        this.multipart = multipart;
        this.objects = objects;
        this.store = store;
        this.versioned = versioning.enabled();
    }

    S3Response initiate(S3Request request) {
        var put = new PutRequest(request.bucket(), request.key(), ObjectOperations.contentType(request), -1,
            ObjectOperations.userMetadata(request), null, request.header("if-none-match"), S3Tagging.fromHeader(request));
        UploadManifest upload = multipart.initiate(put);
        return S3Response.ok(new Xml.Writer("InitiateMultipartUploadResult")
            .element("Bucket", upload.bucket()).element("Key", upload.key()).element("UploadId", upload.uploadId()));
    }

    S3Response uploadPart(S3Request request, SigV4Verifier.Verified verified, InputStream raw) {
        UploadManifest upload = upload(request);
        int partNumber = UploadManifest.parsePartNumber(request.param("partNumber"));
        CheckedBody body = RequestBodies.decode(request, verified, raw);
        PartInfo part;
        try {
            part = multipart.uploadPart(upload.uploadId(), partNumber, RequestBodies.declaredLength(request, verified), body, body::md5Hex);
        } catch (dev.kelp.agent.object.KelpException e) {
            if (body.failure() != null) {
                throw body.failure().error();
            }
            throw e;
        }
        return S3Response.status(200).header("ETag", "\"" + part.md5() + "\"");
    }

    /** The part's S3 ETag: its MD5, or (not known) its SHA-256, which a complete accepts as well. */
    private static String etagOf(PartInfo part) {
        return part.md5() != null ? part.md5() : part.sha256();
    }

    /** The part's MD5: as recorded, or from its file for a part recorded without one. */
    private String md5Of(UploadManifest upload, PartInfo part) {
        return part.md5() != null ? part.md5() : md5Of(store.fileOf(upload, part));
    }

    /** The part list with each MD5 ETag replaced by the SHA-256 the engine checks, where it names the part held. */
    private List<CompletedPart> translate(UploadManifest upload, List<CompletedPart> parts) {
        List<CompletedPart> translated = new ArrayList<>(parts.size());
        for (CompletedPart p : parts) {
            String etag = p.etag() == null ? null : p.etag().strip().replace("\"", "").toLowerCase(java.util.Locale.ROOT);
            var held = p.partNumber() == null ? java.util.Optional.<PartInfo>empty() : upload.part(p.partNumber());
            if (etag == null || etag.length() != 32 || held.isEmpty()) {
                translated.add(p);
                continue;
            }
            translated.add(md5Of(upload, held.get()).equals(etag) ? new CompletedPart(p.partNumber(), held.get().sha256()) : p);
        }
        return translated;
    }

    private static String md5Of(java.nio.file.Path file) {
        try (InputStream in = java.nio.file.Files.newInputStream(file)) {
            var md5 = java.security.MessageDigest.getInstance("MD5");
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = in.read(buffer)) > 0) {
                md5.update(buffer, 0, n);
            }
            return java.util.HexFormat.of().formatHex(md5.digest());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read part file " + file, e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** UploadPartCopy: a range of an existing object as a part, through the same part staging. */
    S3Response uploadPartCopy(S3Request request) {
        UploadManifest upload = upload(request);
        int partNumber = UploadManifest.parsePartNumber(request.param("partNumber"));
        var source = ObjectOperations.CopySource.parse(request.header("x-amz-copy-source"));
        ObjectRecord from = objects.head(source.bucket(), source.key());
        ObjectOperations.checkCopyConditions(request, from);
        String rangeHeader = request.header("x-amz-copy-source-range");
        S3Range range = rangeHeader == null ? null : S3Range.parse(rangeHeader, from.size());
        if (rangeHeader != null && range == null) {
            throw S3Exception.invalidArgument("x-amz-copy-source-range must be bytes=first-last, not " + rangeHeader);
        }
        long offset = range == null ? 0 : range.offset();
        long length = range == null ? from.size() : range.length();
        PartInfo part;
        try (InputStream content = objects.open(from, offset, range == null ? -1 : length)) {
            var checked = new CheckedBody(content, null, null, null, null, length);
            part = multipart.uploadPart(upload.uploadId(), partNumber, length, checked, checked::md5Hex);
        } catch (IOException e) {
            throw new S3Exception(500, "InternalError", "reading the copy source failed: " + e.getMessage());
        }
        return S3Response.ok(new Xml.Writer("CopyPartResult")
            .element("LastModified", ObjectOperations.isoDate(from.createdAt()))
            .element("ETag", "\"" + part.md5() + "\""));
    }

    S3Response complete(S3Request request, SigV4Verifier.Verified verified, InputStream raw) throws IOException {
        UploadManifest upload = upload(request);
        CheckedBody body = RequestBodies.decode(request, verified, raw);
        byte[] xml;
        try {
            xml = Xml.readBody(body);
        } catch (S3BodyException e) {
            throw e.error();
        }
        List<CompletedPart> parts = new ArrayList<>();
        for (Map<String, String> entry : Xml.parse(xml, "CompleteMultipartUpload", "Part").records()) {
            Integer number;
            try {
                number = entry.get("PartNumber") == null ? null : Integer.valueOf(entry.get("PartNumber").strip());
            } catch (NumberFormatException e) {
                throw S3Exception.malformedXml("PartNumber must be an integer, not " + entry.get("PartNumber"));
            }
            parts.add(new CompletedPart(number, entry.get("ETag")));
        }
        if (parts.isEmpty()) {
            throw S3Exception.malformedXml("The XML you provided was not well-formed or did not validate against our published schema:"
                + " name at least one <Part>");
        }
        // The engine hands over the parts it selected, checked, under the upload's lock: the ETag is
        // made of exactly those.
        ObjectRecord stored = multipart.complete(upload.uploadId(), translate(upload, parts), selected -> Map.of(S3ETags.MULTIPART_KEY,
            S3ETags.multipart(selected.stream().map(p -> md5Of(upload, p)).toList())));
        var response = S3Response.ok(new Xml.Writer("CompleteMultipartUploadResult")
            .element("Location", "/" + stored.bucket() + "/" + stored.key())
            .element("Bucket", stored.bucket())
            .element("Key", stored.key())
            .element("ETag", S3ETags.of(stored)));
        return versioned ? response.header("x-amz-version-id", stored.version()) : response;
    }

    S3Response abort(S3Request request) {
        String uploadId = upload(request).uploadId();
        multipart.abort(uploadId);
        return S3Response.status(204);
    }

    S3Response listParts(S3Request request) {
        UploadManifest upload = upload(request);
        int marker = intParam(request, "part-number-marker", 0);
        int max = Math.min(intParam(request, "max-parts", MAX_PARTS_LISTED), MAX_PARTS_LISTED);
        List<PartInfo> after = upload.parts().stream().filter(p -> p.partNumber() > marker).toList();
        List<PartInfo> page = after.subList(0, Math.min(max, after.size()));
        boolean truncated = after.size() > page.size();
        var out = new Xml.Writer("ListPartsResult")
            .element("Bucket", upload.bucket()).element("Key", upload.key()).element("UploadId", upload.uploadId())
            .element("PartNumberMarker", marker)
            .element("NextPartNumberMarker", page.isEmpty() ? marker : page.get(page.size() - 1).partNumber())
            .element("MaxParts", max)
            .element("IsTruncated", truncated)
            .element("StorageClass", "STANDARD");
        owner(out, "Initiator");
        owner(out, "Owner");
        for (PartInfo part : page) {
            out.start("Part").element("PartNumber", part.partNumber())
                .element("LastModified", ObjectOperations.isoDate(upload.initiatedAt()))
                .element("ETag", "\"" + etagOf(part) + "\"")
                .element("Size", part.size()).end();
        }
        return S3Response.ok(out);
    }

    S3Response listUploads(S3Request request) {
        String prefix = request.param("prefix") == null ? "" : request.param("prefix");
        String keyMarker = request.param("key-marker") == null ? "" : request.param("key-marker");
        String idMarker = request.param("upload-id-marker") == null ? "" : request.param("upload-id-marker");
        int max = Math.min(intParam(request, "max-uploads", 1000), 1000);
        List<UploadManifest> matching = multipart.list(request.bucket()).stream()
            .filter(u -> u.key().startsWith(prefix))
            .sorted(java.util.Comparator.comparing(UploadManifest::key).thenComparing(UploadManifest::initiatedAt)
                .thenComparing(UploadManifest::uploadId))
            .filter(u -> keyMarker.isEmpty() || u.key().compareTo(keyMarker) > 0
                || (u.key().equals(keyMarker) && !idMarker.isEmpty() && u.uploadId().compareTo(idMarker) > 0))
            .toList();
        List<UploadManifest> page = matching.subList(0, Math.min(max, matching.size()));
        boolean truncated = matching.size() > page.size();
        var out = new Xml.Writer("ListMultipartUploadsResult")
            .element("Bucket", request.bucket()).element("KeyMarker", keyMarker).element("UploadIdMarker", idMarker);
        if (truncated) {
            out.element("NextKeyMarker", page.get(page.size() - 1).key()).element("NextUploadIdMarker", page.get(page.size() - 1).uploadId());
        }
        out.element("Prefix", prefix).element("MaxUploads", max).element("IsTruncated", truncated);
        for (UploadManifest u : page) {
            out.start("Upload").element("Key", u.key()).element("UploadId", u.uploadId());
            owner(out, "Initiator");
            owner(out, "Owner");
            out.element("StorageClass", "STANDARD").element("Initiated", ObjectOperations.isoDate(u.initiatedAt())).end();
        }
        return S3Response.ok(out);
    }

    /** The upload a request names, which must be of the bucket and key in its path. */
    private UploadManifest upload(S3Request request) {
        String uploadId = request.param("uploadId");
        UploadManifest upload = multipart.describe(uploadId == null ? "" : uploadId);
        if (!upload.bucket().equals(request.bucket()) || !upload.key().equals(request.key())) {
            throw UploadRefusedException.noSuchUpload(uploadId);
        }
        return upload;
    }

    private static void owner(Xml.Writer out, String element) {
        out.start(element).element("ID", "kelp").element("DisplayName", "kelp").end();
    }

    private static int intParam(S3Request request, String name, int fallback) {
        String value = request.param(name);
        if (value == null || value.isEmpty()) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(value.strip());
            if (n < 0) {
                throw S3Exception.invalidArgument(name + " must not be negative");
            }
            return n;
        } catch (NumberFormatException e) {
            throw S3Exception.invalidArgument(name + " must be an integer, not " + value);
        }
    }
}
