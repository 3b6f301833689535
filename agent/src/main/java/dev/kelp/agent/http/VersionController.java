package dev.kelp.agent.http;

import dev.kelp.agent.object.ETags;
import dev.kelp.agent.object.KelpException;
import dev.kelp.agent.object.ObjectRecord;
import dev.kelp.agent.object.ObjectService;
import dev.kelp.agent.object.VersionPage;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.responses.ApiResponse;

/**
 * The version history of the native API (docs/versions.md): list versions, roll back to one,
 * diff two. Reading or deleting one version is {@code ?versionId=} on /v1/objects.
 */
@Controller("/v1")
@ExecuteOn(TaskExecutors.BLOCKING)
class VersionController {

    private final ObjectService objects;

    VersionController(ObjectService objects) {
        this.objects = objects;
    }

    @Operation(summary = "List versions of objects", description = "Every version of the keys starting with `prefix`, delete markers included:"
        + " key order, newest first within a key; at most `limit` per page; pass `nextCursor` back as `cursor`."
        + " 503 while versions of the bucket written during a metadata outage wait to be replayed.")
    @ApiResponse(responseCode = "200", description = "A page of versions")
    @ApiResponse(responseCode = "400", description = "Bad limit or cursor")
    @ApiResponse(responseCode = "404", description = "Unknown bucket")
    @Get(uri = "/versions/{bucket}", produces = MediaType.APPLICATION_JSON)
    VersionListing listByPrefix(String bucket,
                                @Parameter(description = "Only keys starting with this", required = false) @QueryValue(defaultValue = "") String prefix,
                                @Parameter(description = "Cursor from the previous page", required = false) @QueryValue(defaultValue = "") String cursor,
                                @Parameter(description = "Page size, 1-1000", required = false) @QueryValue(defaultValue = "1000") int limit) {
        checkLimit(limit);
        VersionPage page = objects.listVersions(bucket, prefix, Cursors.decodeVersion(cursor), limit);
        return new VersionListing(bucket, prefix, null, page.versions().stream().map(VersionInfo::of).toList(), next(page));
    }

    @Operation(summary = "List versions of one object", description = "Every version of exactly this key, delete markers included, newest first.")
    @ApiResponse(responseCode = "200", description = "A page of versions (empty when the key has none)")
    @ApiResponse(responseCode = "400", description = "Bad key, limit or cursor")
    @ApiResponse(responseCode = "404", description = "Unknown bucket")
    @Get(uri = "/versions/{bucket}/{key:.+}", produces = MediaType.APPLICATION_JSON)
    VersionListing listOfKey(String bucket, @Parameter(description = ObjectController.KEY_DOC) String key,
                             @Parameter(description = "Cursor from the previous page", required = false) @QueryValue(defaultValue = "") String cursor,
                             @Parameter(description = "Page size, 1-1000", required = false) @QueryValue(defaultValue = "1000") int limit) {
        checkLimit(limit);
        VersionPage page = objects.listVersionsOfKey(bucket, key, Cursors.decodeVersion(cursor), limit);
        return new VersionListing(bucket, null, key, page.versions().stream().map(VersionInfo::of).toList(), next(page));
    }

    @Operation(summary = "Roll an object back to an earlier version", description = "Makes a new current version equal to version `versionId`"
        + " (content, content type, user metadata); no byte is copied: the content is shared by hash. Counts against the quota as a write.")
    @ApiResponse(responseCode = "201", description = "The new current version")
    @ApiResponse(responseCode = "400", description = "Malformed or missing version id")
    @ApiResponse(responseCode = "404", description = "No such version of this key, or unknown bucket")
    @ApiResponse(responseCode = "409", description = "The version is a delete marker, or its content is missing")
    @ApiResponse(responseCode = "507", description = "Quota exceeded")
    @Post(uri = "/rollback/{bucket}/{key:.+}", produces = MediaType.APPLICATION_JSON)
    HttpResponse<ObjectInfo> rollback(String bucket, @Parameter(description = ObjectController.KEY_DOC) String key,
                                      @Parameter(description = "The version to roll back to (required)") @Nullable @QueryValue String versionId) {
        if (versionId == null) {
            throw new KelpException(400, "InvalidVersionId", "versionId is required: the version to roll back to");
        }
        ObjectRecord stored = objects.rollback(bucket, key, versionId);
        return HttpResponse.created(ObjectInfo.of(stored)).header(HttpHeaders.ETAG, ETags.of(stored.hash()))
            .header(ObjectController.VERSION_HEADER, stored.version());
    }

    @Operation(summary = "Diff two versions of a text object", description = "A unified diff (text/plain) from version `from` to version `to`"
        + " (absent: the current version); empty when they are equal. Only UTF-8 text without NUL bytes, each side at most"
        + " kelp.versioning.diff-max-bytes.")
    @ApiResponse(responseCode = "200", description = "The unified diff")
    @ApiResponse(responseCode = "400", description = "Malformed or missing version id")
    @ApiResponse(responseCode = "404", description = "No such version of this key, no current version, or unknown bucket")
    @ApiResponse(responseCode = "409", description = "A version is a delete marker")
    @ApiResponse(responseCode = "413", description = "A version is larger than kelp.versioning.diff-max-bytes")
    @ApiResponse(responseCode = "415", description = "A version is not text")
    @Get(uri = "/diff/{bucket}/{key:.+}", produces = MediaType.TEXT_PLAIN)
    HttpResponse<String> diff(String bucket, @Parameter(description = ObjectController.KEY_DOC) String key,
                              @Parameter(description = "The older version (required)") @Nullable @QueryValue String from,
                              @Parameter(description = "The newer version; absent: the current one", required = false) @Nullable @QueryValue String to) {
        if (from == null) {
            throw new KelpException(400, "InvalidVersionId", "from is required: the version to diff from");
        }
        return HttpResponse.ok(objects.diff(bucket, key, from, to)).contentType(MediaType.TEXT_PLAIN_TYPE.getName() + ";charset=utf-8");
    }

    private static void checkLimit(int limit) {
        if (limit < 1 || limit > ObjectController.MAX_LIST_LIMIT) {
            throw new KelpException(400, "InvalidArgument", "limit must be between 1 and " + ObjectController.MAX_LIST_LIMIT);
        }
    }

    private static String next(VersionPage page) {
        return page.next() == null ? null : Cursors.encode(page.next());
    }
}
