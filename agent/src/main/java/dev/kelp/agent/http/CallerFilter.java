package dev.kelp.agent.http;

import dev.kelp.agent.access.AccessControl;
import dev.kelp.agent.access.Caller;
import dev.kelp.agent.access.CallerContext;
import dev.kelp.agent.access.Principals;
import dev.kelp.agent.events.AgentEvent;
import dev.kelp.agent.events.EventSink;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import dev.kelp.agent.signing.SignedUrlFilter;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;

/**
 * Names the caller of every /v1 call (docs/access-control.md). When any bearer token is
 * configured (kelp.api.token, or the principals file), a call must carry one, and the token names
 * its owner; with none configured every caller is the default owner, as before owners existed.
 * Health and metrics stay open for probes; a signed URL is its own credential (its access was
 * judged when it was made), so {@link SignedUrlFilter} decides on it. A token is found by its
 * SHA-256, so no secret is compared byte by byte.
 */
@ServerFilter("/v1/**")
class CallerFilter {

    private static final String BEARER = "Bearer ";

    private final AccessControl access;
    private final EventSink events;

    CallerFilter(AccessControl access, EventSink events) {
        this.access = access;
        this.events = events;
    }

    private static boolean platformOnly(HttpRequest<?> request) {
        String path = request.getPath();
        return path.startsWith("/v1/backups") || path.startsWith("/v1/restores");
    }

    @RequestFilter
    @Nullable
    HttpResponse<ErrorBody> identify(HttpRequest<?> request) {
        if (SignedUrlFilter.isSigned(request)) {
            // A signed GET reads what its maker could read when it was made; a signed PUT carries no
            // owner, so it writes as the default owner and is judged as one (docs/access-control.md).
            boolean read = !request.getMethodName().equals("PUT");
            request.setAttribute(CallerContext.ATTRIBUTE, new Caller(Caller.DEFAULT_OWNER, "signed-url", read));
            return null;
        }
        Principals principals = access.principals();
        if (!principals.tokensRequired()) {
            request.setAttribute(CallerContext.ATTRIBUTE, Caller.anonymous());
            return null;
        }
        String header = request.getHeaders().get(HttpHeaders.AUTHORIZATION);
        var caller = header != null && header.startsWith(BEARER) ? principals.byToken(header.substring(BEARER.length())) : java.util.Optional.<Caller>empty();
        if (caller.isPresent()) {
            if (access.enforced() && platformOnly(request) && !caller.get().owner().equals(Caller.DEFAULT_OWNER)) {
                // A restore writes every owner's objects back as the agent: the platform's, not an owner's.
                return HttpResponse.<ErrorBody>status(HttpStatus.FORBIDDEN).body(new ErrorBody("AccessDenied", "owner "
                    + caller.get().owner() + " may not run backups or restores: they are for the default owner's token"
                    + " (kelp.api.token, the platform team's); nothing was changed"));
            }
            request.setAttribute(CallerContext.ATTRIBUTE, caller.get());
            return null;
        }
        // A refused credential names no owner; the attempt still goes into the audit trail.
        events.emit(new AgentEvent(UUID.randomUUID(), Instant.now(), AgentEvent.Type.ACCESS, null, null, Map.of("outcome", "denied",
            "action", "authenticate", "principal", header == null ? "none" : "unknown-token",
            "request", request.getMethodName() + " " + request.getPath())));
        return HttpResponse.<ErrorBody>status(HttpStatus.UNAUTHORIZED)
            .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"kelp-agent\"")
            .body(new ErrorBody("Unauthorized", header == null
                ? "this agent requires an API token: send Authorization: Bearer <token>"
                : "the API token is wrong"));
    }
}
