package dev.kelp.agent.http;

import dev.kelp.agent.signing.SignedUrlFilter;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * When {@code kelp.api.token} is set, every /v1 call must carry it as a bearer token. Health
 * and metrics stay open for probes; a signed URL needs no token. Compared in constant time.
 */
@ServerFilter("/v1/**")
@Requires(property = "kelp.api.token")
class ApiTokenFilter {

    private final byte[] expected;

    ApiTokenFilter(@Value("${kelp.api.token}") String token) {
        this.expected = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
    }

    @RequestFilter
    @Nullable
    HttpResponse<ErrorBody> check(HttpRequest<?> request) {
        if (SignedUrlFilter.isSigned(request)) {
            // A signed URL is its own credential; SignedUrlFilter lets it in or refuses it.
            return null;
        }
        String header = request.getHeaders().get(HttpHeaders.AUTHORIZATION);
        if (header != null && MessageDigest.isEqual(expected, header.getBytes(StandardCharsets.UTF_8))) {
            return null;
        }
        return HttpResponse.<ErrorBody>status(HttpStatus.UNAUTHORIZED)
            .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"kelp-agent\"")
            .body(new ErrorBody("Unauthorized", header == null
                ? "this agent requires an API token: send Authorization: Bearer <token>"
                : "the API token is wrong"));
    }
}
