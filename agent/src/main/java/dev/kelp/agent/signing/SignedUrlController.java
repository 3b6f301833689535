package dev.kelp.agent.signing;

import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;

/** POST /v1/signed-urls: a URL that reads or writes one object without other credentials. */
@Controller("/v1/signed-urls")
@ExecuteOn(TaskExecutors.BLOCKING)
class SignedUrlController {

    private final SignedUrlService service;

    SignedUrlController(SignedUrlService service) {
        this.service = service;
    }

    @Operation(summary = "Sign a URL for one object",
        description = "GET of an object already on SeaweedFS in FULL mode gives an S3 presigned URL to SeaweedFS; otherwise an agent URL with X-Kelp-Expires and X-Kelp-Signature (HMAC-SHA256).")
    @ApiResponse(responseCode = "201", description = "Signed")
    @ApiResponse(responseCode = "400", description = "Bad method, key or expiry")
    @ApiResponse(responseCode = "404", description = "No such object (GET) or bucket")
    @Post(consumes = MediaType.APPLICATION_JSON, produces = MediaType.APPLICATION_JSON)
    HttpResponse<SignedUrl> sign(@Body SignedUrlRequest body, HttpRequest<?> request) {
        return HttpResponse.created(service.sign(body, request.getHeaders().get(HttpHeaders.HOST)));
    }
}
