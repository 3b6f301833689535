package dev.kelp.agent.http;

import dev.kelp.agent.metadata.MetadataUnavailableException;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;

/**
 * A read the agent cannot answer while PostgreSQL is unreachable (an object written before the
 * outage, which only the database knows): 503 with Retry-After, which clients retry, rather
 * than a 500 that reads like a bug.
 */
@Produces
@Singleton
class MetadataUnavailableHandler implements ExceptionHandler<MetadataUnavailableException, HttpResponse<ErrorBody>> {

    @Override
    public HttpResponse<ErrorBody> handle(HttpRequest request, MetadataUnavailableException e) {
        return HttpResponse.<ErrorBody>status(HttpStatus.SERVICE_UNAVAILABLE)
            .header("Retry-After", "1")
            .body(new ErrorBody("MetadataUnavailable", e.getMessage()));
    }
}
