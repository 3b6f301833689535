package dev.kelp.agent.http;

import dev.kelp.agent.object.ETags;
import dev.kelp.agent.object.KelpException;
import dev.kelp.agent.object.ObjectRecord;
import dev.kelp.agent.object.ObjectService;
import dev.kelp.agent.object.ObjectTags;
import dev.kelp.agent.object.PutRequest;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpMethod;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Put;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.http.body.ByteBody;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import java.io.InputStream;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The native object API: /v1/objects/{bucket}/{key}. Bodies stream both ways. */
@Controller("/v1/objects")
@ExecuteOn(TaskExecutors.BLOCKING)
class ObjectController {

    static final String META_PREFIX = "x-kelp-meta-";
    // {key:.+} rather than {+key}: both match across '/', but the OpenAPI generator drops a
    // reserved-expansion segment and folded these routes into the listing's path.
    static final String KEY_DOC = "Object key: 1-1024 UTF-8 bytes; '/' separates segments (no leading '/', no empty, '.' or '..' segments); no control characters or backslashes";
    static final String VERSION_DOC = "A version id (x-kelp-version-id, or a version listing): act on that version rather than the current one";
    /** The version id a response is about; a string header, as S3's x-amz-version-id. */
    static final String VERSION_HEADER = "x-kelp-version-id";
    /** A version's tag set, in the URL-query form of S3's x-amz-tagging. */
    static final String TAGGING_HEADER = "x-kelp-tagging";
    static final String DELETE_MARKER_HEADER = "x-kelp-delete-marker";
    static final int MAX_LIST_LIMIT = 1000;

    private final ObjectService objects;
    private final ContentBody bodies;

    ObjectController(ObjectService objects, ContentBody bodies) {
        this.objects = objects;
        this.bodies = bodies;
    }

    @Operation(summary = "Store an object", description = "Streams the body to durable storage; answers once it is durable (SeaweedFS, or the fsync'd fallback volume)."
        + " An `x-kelp-tagging` header (`key1=value1&key2=value2`, URL-encoded, as S3's `x-amz-tagging`) gives the version a tag set:"
        + " at most 10 tags, keys of 1 to 128 and values of at most 256 characters, each key once, none starting with `aws:`.")
    @ApiResponse(responseCode = "201", description = "Stored")
    @ApiResponse(responseCode = "400", description = "Invalid key, or a tag set that breaks the rules (code InvalidTag)")
    @ApiResponse(responseCode = "507", description = "Quota exceeded, or the fallback volume is full")
    @ApiResponse(responseCode = "500", description = "The body's bytes changed after the agent hashed them and SeaweedFS refused them"
        + " (code BlobCorrupt): nothing was stored; send it again")
    @ApiResponse(responseCode = "404", description = "Unknown bucket")
    @ApiResponse(responseCode = "412", description = "If-Match / If-None-Match precondition failed")
    @ApiResponse(responseCode = "413", description = "Body larger than the configured limit")
    @ApiResponse(responseCode = "415", description = "Content type not allowed")
    @Put(uri = "/{bucket}/{key:.+}", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
    HttpResponse<ObjectInfo> put(String bucket, @Parameter(description = KEY_DOC) String key, HttpRequest<?> request,
                                 @Body @Nullable InputStream sent) {
        // A zero-byte object is an object: Micronaut binds an empty body as no body at all.
        InputStream body = sent != null ? sent : InputStream.nullInputStream();
        var headers = request.getHeaders();
        String contentType = headers.get(HttpHeaders.CONTENT_TYPE);
        ObjectRecord stored = UnreadBody.consume(body, () -> objects.put(new PutRequest(bucket, key,
            contentType == null ? MediaType.APPLICATION_OCTET_STREAM : contentType, headers.contentLength().orElse(-1L), userMetadata(request),
            headers.get(HttpHeaders.IF_MATCH), headers.get(HttpHeaders.IF_NONE_MATCH), ObjectTags.parseQuery(headers.get(TAGGING_HEADER))), body));
        return HttpResponse.created(ObjectInfo.of(stored)).header(HttpHeaders.ETAG, ETags.of(stored.hash()))
            .header(VERSION_HEADER, stored.version());
    }

    // HEAD is served here too: Micronaut routes HEAD to GET routes, and a separate @Head route
    // on the same path makes every HEAD an ambiguous (400) match.
    @Operation(summary = "Read an object", description = "Supports Range (one range), If-None-Match and If-Match. HEAD answers the same headers without the body."
        + " The x-kelp-version-id header names the version read; with `versionId`, that version is read instead of the current one."
        + " A key whose latest version is a delete marker answers 404 with x-kelp-delete-marker: true."
        + " A version with tags answers them in `x-kelp-tagging` (the form PUT takes).")
    @ApiResponse(responseCode = "200", description = "The whole object")
    @ApiResponse(responseCode = "206", description = "The requested range")
    @ApiResponse(responseCode = "304", description = "Not modified (If-None-Match matched)")
    @ApiResponse(responseCode = "400", description = "Malformed version id")
    @ApiResponse(responseCode = "404", description = "No such object, version or bucket")
    @ApiResponse(responseCode = "405", description = "The version asked for is a delete marker")
    @ApiResponse(responseCode = "416", description = "Range not satisfiable")
    @Get(uri = "/{bucket}/{key:.+}", produces = MediaType.ALL)
    HttpResponse<?> get(String bucket, @Parameter(description = KEY_DOC) String key, HttpRequest<?> request,
                        @Parameter(description = VERSION_DOC, required = false) @Nullable @QueryValue String versionId) {
        ObjectRecord record = versionId == null ? objects.head(bucket, key) : objects.headVersion(bucket, key, versionId);
        var precondition = preconditions(request, record);
        if (precondition.isPresent()) {
            return precondition.get();
        }
        if (request.getMethod() == HttpMethod.HEAD) {
            return describe(HttpResponse.ok(), record)
                .header(HttpHeaders.CONTENT_LENGTH, Long.toString(record.size()))
                .header(HttpHeaders.CONTENT_TYPE, record.contentType());
        }
        Optional<ByteRange> range = ByteRange.parse(request.getHeaders().get(HttpHeaders.RANGE), record.size());
        long offset = range.map(ByteRange::offset).orElse(0L);
        long length = range.map(ByteRange::length).orElse(record.size());
        InputStream content = objects.open(record, offset, range.isPresent() ? length : -1);
        MutableHttpResponse<ByteBody> response = (range.isPresent()
            ? HttpResponse.<ByteBody>status(HttpStatus.PARTIAL_CONTENT).header(HttpHeaders.CONTENT_RANGE, range.get().contentRange())
            : HttpResponse.<ByteBody>ok())
            .body((ByteBody) bodies.of(request, content, length))
            .contentType(mediaType(record));
        return describe(response, record);
    }

    @Operation(summary = "Delete an object", description = "With versioning on, the current version is kept and a delete marker becomes"
        + " the latest version (its id in x-kelp-version-id, with x-kelp-delete-marker: true). With `versionId`, that one version is"
        + " removed for good; removing the latest makes the newest earlier version current again.")
    @ApiResponse(responseCode = "204", description = "Deleted")
    @ApiResponse(responseCode = "400", description = "Malformed version id")
    @ApiResponse(responseCode = "404", description = "No such object, version or bucket")
    @ApiResponse(responseCode = "503", description = "A version is removed for good only while the metadata database is reachable")
    @Delete(uri = "/{bucket}/{key:.+}")
    HttpResponse<?> delete(String bucket, @Parameter(description = KEY_DOC) String key,
                           @Parameter(description = VERSION_DOC, required = false) @Nullable @QueryValue String versionId) {
        MutableHttpResponse<?> response = HttpResponse.noContent();
        if (versionId != null) {
            var removed = objects.deleteVersion(bucket, key, versionId);
            response.header(VERSION_HEADER, removed.version());
            if (removed.deleteMarker()) {
                response.header(DELETE_MARKER_HEADER, "true");
            }
            return response;
        }
        var deletion = objects.deleteObject(bucket, key);
        if (deletion.markerVersion() != null) {
            response.header(VERSION_HEADER, deletion.markerVersion()).header(DELETE_MARKER_HEADER, "true");
        }
        return response;
    }

    @Operation(summary = "List objects", description = "Key order; at most `limit` per page; pass `nextCursor` back as `cursor`.")
    @Get(uri = "/{bucket}", produces = MediaType.APPLICATION_JSON)
    ObjectListing list(String bucket,
                       @Parameter(description = "Only keys starting with this", required = false) @QueryValue(defaultValue = "") String prefix,
                       @Parameter(description = "Cursor from the previous page", required = false) @QueryValue(defaultValue = "") String cursor,
                       @Parameter(description = "Page size, 1-1000", required = false) @QueryValue(defaultValue = "1000") int limit) {
        if (limit < 1 || limit > MAX_LIST_LIMIT) {
            throw new KelpException(400, "InvalidArgument", "limit must be between 1 and " + MAX_LIST_LIMIT);
        }
        var page = objects.list(bucket, prefix, Cursors.decode(cursor), limit + 1);
        boolean more = page.size() > limit;
        var shown = more ? page.subList(0, limit) : page;
        String next = more ? Cursors.encode(shown.getLast().key()) : null;
        return new ObjectListing(bucket, prefix, shown.stream().map(ObjectInfo::of).toList(), next);
    }

    private static Optional<HttpResponse<?>> preconditions(HttpRequest<?> request, ObjectRecord record) {
        String ifNoneMatch = request.getHeaders().get(HttpHeaders.IF_NONE_MATCH);
        if (ifNoneMatch != null && ETags.matches(ifNoneMatch, Optional.of(record.hash()))) {
            return Optional.of(HttpResponse.notModified().header(HttpHeaders.ETAG, ETags.of(record.hash())));
        }
        String ifMatch = request.getHeaders().get(HttpHeaders.IF_MATCH);
        if (ifMatch != null && !ETags.matches(ifMatch, Optional.of(record.hash()))) {
            throw new KelpException(412, "PreconditionFailed", "object " + record.key() + " does not have ETag " + ifMatch);
        }
        return Optional.empty();
    }

    private static <T> MutableHttpResponse<T> describe(MutableHttpResponse<T> response, ObjectRecord record) {
        response.header(HttpHeaders.ETAG, ETags.of(record.hash()))
            .header(HttpHeaders.ACCEPT_RANGES, "bytes")
            .header(HttpHeaders.LAST_MODIFIED, DateTimeFormatter.RFC_1123_DATE_TIME.format(record.createdAt().atOffset(ZoneOffset.UTC)))
            .header(VERSION_HEADER, record.version());
        record.userMetadata().forEach((name, value) -> response.header(META_PREFIX + name, value));
        if (!record.tags().isEmpty()) {
            response.header(TAGGING_HEADER, ObjectTags.toQuery(record.tags()));
        }
        return response;
    }

    private static MediaType mediaType(ObjectRecord record) {
        try {
            return MediaType.of(record.contentType());
        } catch (IllegalArgumentException e) {
            return MediaType.APPLICATION_OCTET_STREAM_TYPE;
        }
    }

    static Map<String, String> userMetadata(HttpRequest<?> request) {
        Map<String, String> meta = new HashMap<>();
        request.getHeaders().forEach((name, values) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.startsWith(META_PREFIX) && lower.length() > META_PREFIX.length()) {
                meta.put(lower.substring(META_PREFIX.length()), String.join(",", values));
            }
        });
        return meta;
    }
}
