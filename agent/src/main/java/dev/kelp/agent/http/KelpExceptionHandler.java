package dev.kelp.agent.http;

import dev.kelp.agent.object.DeletedObjectException;
import dev.kelp.agent.object.KelpException;
import dev.kelp.agent.object.VersionRefusedException;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpMethod;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;

/** Turns every refusal of the engine into its status and a JSON {@link ErrorBody}. */
@Produces
@Singleton
@Requires(classes = {KelpException.class, ExceptionHandler.class})
class KelpExceptionHandler implements ExceptionHandler<KelpException, HttpResponse<ErrorBody>> {

    @Override
    public HttpResponse<ErrorBody> handle(HttpRequest request, KelpException e) {
        MutableHttpResponse<ErrorBody> response = HttpResponse.<ErrorBody>status(HttpStatus.valueOf(e.status()))
            .body(new ErrorBody(e.code(), e.getMessage()));
        if (mayHaveUnreadBody(request)) {
            // A refusal may come before the body was read (a declared size over the limit, an
            // unknown bucket). Left on a kept-alive connection, those unread bytes would be
            // taken for the next request, which then hangs: end the connection instead.
            response.header(HttpHeaders.CONNECTION, "close");
        }
        if (e instanceof DeletedObjectException deleted) {
            response.header(ObjectController.DELETE_MARKER_HEADER, "true").header(ObjectController.VERSION_HEADER, deleted.markerVersion());
        }
        if (e instanceof VersionRefusedException refused && refused.deleteMarker()) {
            response.header(ObjectController.DELETE_MARKER_HEADER, "true").header(ObjectController.VERSION_HEADER, refused.version());
        }
        if (e instanceof RangeNotSatisfiableException range) {
            response.header("Content-Range", "bytes */" + range.size());
        }
        return response;
    }

    private static boolean mayHaveUnreadBody(HttpRequest<?> request) {
        var method = request.getMethod();
        return method == HttpMethod.PUT || method == HttpMethod.POST || method == HttpMethod.PATCH;
    }
}
