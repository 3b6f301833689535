package dev.kelp.agent.http;

import dev.kelp.agent.multipart.CompletedPart;
import dev.kelp.agent.multipart.MultipartService;
import dev.kelp.agent.multipart.PartInfo;
import dev.kelp.agent.multipart.UploadManifest;
import dev.kelp.agent.multipart.UploadRefusedException;
import dev.kelp.agent.object.ETags;
import dev.kelp.agent.object.KelpException;
import dev.kelp.agent.object.ObjectRecord;
import dev.kelp.agent.object.PutRequest;
import io.micronaut.core.type.Argument;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Put;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.json.JsonMapper;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * Multipart uploads on the native API: /v1/uploads. Parts stream to the fallback volume;
 * completing stores the object through the same engine path as PUT /v1/objects.
 */
@Controller("/v1/uploads")
@ExecuteOn(TaskExecutors.BLOCKING)
class UploadController {

    /** 10,000 entries of a few dozen bytes each fit with room to spare; more is not a part list. */
    static final int MAX_COMPLETE_BODY = 2 * 1024 * 1024;

    private final MultipartService uploads;
    private final JsonMapper json;

    UploadController(MultipartService uploads, JsonMapper json) {
        this.uploads = uploads;
        this.json = json;
    }

    @Operation(summary = "Start a multipart upload",
        description = "Content-Type and x-kelp-meta-* headers become the object's; If-None-Match: * makes complete fail if the key exists by then.")
    @ApiResponse(responseCode = "201", description = "Initiated; name uploadId in every later request")
    @ApiResponse(responseCode = "400", description = "Invalid key or bucket name")
    @ApiResponse(responseCode = "404", description = "Unknown bucket")
    @ApiResponse(responseCode = "412", description = "If-None-Match: * and the object exists")
    @ApiResponse(responseCode = "415", description = "Content type not allowed")
    @ApiResponse(responseCode = "507", description = "Quota already exhausted, or the fallback volume is full")
    @Post(uri = "/{bucket}/{key:.+}", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
    HttpResponse<UploadCreated> initiate(String bucket, String key, HttpRequest<?> request) {
        var headers = request.getHeaders();
        String contentType = headers.get(HttpHeaders.CONTENT_TYPE);
        var upload = uploads.initiate(new PutRequest(bucket, key,
            contentType == null ? MediaType.APPLICATION_OCTET_STREAM : contentType, -1,
            ObjectController.userMetadata(request), null, headers.get(HttpHeaders.IF_NONE_MATCH)));
        return HttpResponse.created(UploadCreated.of(upload));
    }

    @Operation(summary = "Upload one part",
        description = "Streams the body to the fallback volume, fsync'd; answers once the part is durable. Uploading a number again replaces that part.")
    @ApiResponse(responseCode = "200", description = "Stored; the ETag (SHA-256 of the part) goes in the complete request")
    @ApiResponse(responseCode = "400", description = "Part number not an integer in 1-10000, or the body ended early")
    @ApiResponse(responseCode = "404", description = "No such upload (never initiated, or completed, aborted, expired)")
    @ApiResponse(responseCode = "413", description = "Part larger than kelp.multipart.max-part-size, or the parts together larger than kelp.storage.max-object-size")
    @ApiResponse(responseCode = "507", description = "The fallback volume is full")
    @Put(uri = "/{uploadId}/parts/{partNumber}", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
    HttpResponse<PartView> uploadPart(String uploadId, String partNumber, HttpRequest<?> request, @Body InputStream body) {
        PartInfo part = UnreadBody.consume(body, () -> uploads.uploadPart(uploadId, UploadManifest.parsePartNumber(partNumber),
            request.getHeaders().contentLength().orElse(-1L), body));
        return HttpResponse.ok(PartView.of(part)).header(HttpHeaders.ETAG, ETags.of(part.hash()));
    }

    @Operation(summary = "Describe an upload", description = "The parts held (number, size, ETag), so a client that died can resume where it stopped.")
    @ApiResponse(responseCode = "200", description = "The upload and its parts")
    @ApiResponse(responseCode = "404", description = "No such upload")
    @Get(uri = "/{uploadId}", produces = MediaType.APPLICATION_JSON)
    UploadInfo describe(String uploadId) {
        return UploadInfo.of(uploads.describe(uploadId), uploads.config().maxAge());
    }

    @Operation(summary = "List open uploads", description = "Oldest first; of one bucket, or of every bucket when none is given.")
    @ApiResponse(responseCode = "200", description = "The open uploads")
    @ApiResponse(responseCode = "404", description = "Unknown bucket")
    @Get(produces = MediaType.APPLICATION_JSON)
    UploadListing list(@Parameter(description = "Only uploads to this bucket; all when absent", required = false) @QueryValue(defaultValue = "") String bucket) {
        String only = bucket.isEmpty() ? null : bucket;
        var open = uploads.list(only).stream().map(u -> UploadSummary.of(u, uploads.config().maxAge())).toList();
        return new UploadListing(only, open);
    }

    @Operation(summary = "Complete an upload",
        description = "Body: a JSON array of {partNumber, etag} in strictly ascending part number. The named parts, in that order, "
            + "become the object, stored like a PUT; parts not named are discarded. On any refusal the upload stays as it was.")
    @ApiResponse(responseCode = "201", description = "Stored; the ETag is the SHA-256 of the whole object")
    @ApiResponse(responseCode = "400", description = "Empty or malformed list (MalformedRequest), unknown part or wrong ETag (InvalidPart), not ascending (InvalidPartOrder)")
    @ApiResponse(responseCode = "404", description = "No such upload")
    @ApiResponse(responseCode = "412", description = "Initiated with If-None-Match: * and the object exists now")
    @ApiResponse(responseCode = "413", description = "The parts together exceed kelp.storage.max-object-size")
    @ApiResponse(responseCode = "507", description = "Quota exceeded, or the fallback volume is full")
    @Post(uri = "/{uploadId}/complete", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
    HttpResponse<ObjectInfo> complete(String uploadId,
                                      @io.swagger.v3.oas.annotations.parameters.RequestBody(description = "The parts, in strictly ascending part number",
                                          content = @Content(mediaType = MediaType.APPLICATION_JSON,
                                              array = @ArraySchema(schema = @Schema(implementation = CompletedPart.class))))
                                      @Body InputStream body) {
        List<CompletedPart> parts = UnreadBody.consume(body, () -> readPartList(body));
        ObjectRecord stored = uploads.complete(uploadId, parts);
        return HttpResponse.created(ObjectInfo.of(stored)).header(HttpHeaders.ETAG, ETags.of(stored.hash()));
    }

    @Operation(summary = "Abort an upload", description = "Frees its parts; the upload id is unknown afterwards.")
    @ApiResponse(responseCode = "204", description = "Aborted")
    @ApiResponse(responseCode = "404", description = "No such upload")
    @Delete(uri = "/{uploadId}")
    HttpResponse<?> abort(String uploadId) {
        uploads.abort(uploadId);
        return HttpResponse.noContent();
    }

    private List<CompletedPart> readPartList(InputStream body) {
        byte[] bytes;
        try {
            bytes = body.readNBytes(MAX_COMPLETE_BODY + 1);
        } catch (IOException e) {
            throw new KelpException(400, "IncompleteBody", "the part list ended before it was complete: " + e.getMessage());
        }
        if (bytes.length > MAX_COMPLETE_BODY) {
            throw UploadRefusedException.malformed("the part list is longer than " + MAX_COMPLETE_BODY + " bytes");
        }
        try {
            List<CompletedPart> parts = json.readValue(bytes, Argument.listOf(CompletedPart.class));
            return parts == null ? List.of() : parts;
        } catch (IOException | RuntimeException e) {
            throw UploadRefusedException.malformed("the body must be a JSON array of {\"partNumber\": n, \"etag\": \"...\"}: " + e.getMessage());
        }
    }
}
