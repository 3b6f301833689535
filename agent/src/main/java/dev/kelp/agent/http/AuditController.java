package dev.kelp.agent.http;

import dev.kelp.agent.access.AccessControl;
import dev.kelp.agent.access.Caller;
import dev.kelp.agent.access.CallerContext;
import dev.kelp.agent.events.AgentEvent;
import dev.kelp.agent.events.AuditQuery;
import dev.kelp.agent.events.EventReader;
import dev.kelp.agent.events.EventStoreUnavailableException;
import dev.kelp.agent.object.KelpException;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;

/**
 * The audit trail read back from the event store (docs/access-control.md): who read, wrote,
 * listed, deleted or was refused what, newest first. With owners configured an owner reads only
 * the events that name it; the default owner (kelp.api.token, the platform team's) reads all.
 */
@Controller("/v1/audit")
@ExecuteOn(TaskExecutors.BLOCKING)
class AuditController {

    private static final Duration DEFAULT_WINDOW = Duration.ofHours(24);

    private final EventReader reader;
    private final AccessControl access;

    AuditController(EventReader reader, AccessControl access) {
        this.reader = reader;
        this.access = access;
    }

    @Operation(summary = "Events of this agent in a time window, newest first, by bucket and owner",
        description = "Reads, writes, deletes, listings and refused attempts, each naming the object's owner, the caller and its credential"
            + " (docs/access-control.md). Events still queued or spooled are not there yet.")
    @ApiResponse(responseCode = "200", description = "The events, newest first")
    @ApiResponse(responseCode = "400", description = "A bad instant, limit or window")
    @ApiResponse(responseCode = "403", description = "An owner asked for another owner's trail")
    @ApiResponse(responseCode = "503", description = "The event store cannot be read right now")
    @Get(produces = MediaType.APPLICATION_JSON)
    AuditPage audit(@Parameter(description = "Only events of this bucket") @Nullable @QueryValue String bucket,
                    @Parameter(description = "Only events naming this owner (as the object's owner or the caller); an owner other than"
                        + " the default one reads only its own") @Nullable @QueryValue String owner,
                    @Parameter(description = "Start of the window (ISO-8601, inclusive); default: 24 hours before `to`") @Nullable @QueryValue String from,
                    @Parameter(description = "End of the window (ISO-8601, exclusive); default: now; at most 31 days after `from`") @Nullable @QueryValue String to,
                    @Parameter(description = "Most events, 1-1000; default 100") @Nullable @QueryValue Integer limit) {
        Caller caller = CallerContext.current();
        String asked = owner == null || owner.isBlank() ? null : owner;
        if (access.enforced() && !caller.owner().equals(Caller.DEFAULT_OWNER)) {
            if (asked != null && !asked.equals(caller.owner())) {
                throw new KelpException(403, "AccessDenied", "owner " + caller.owner() + " may read only its own audit trail, not owner " + asked + "'s");
            }
            asked = caller.owner();
        }
        Instant end = instant("to", to, Instant.now());
        Instant start = instant("from", from, end.minus(DEFAULT_WINDOW));
        AuditQuery query;
        try {
            query = new AuditQuery(bucket == null || bucket.isBlank() ? null : bucket, asked, start, end, limit == null ? 100 : limit);
        } catch (IllegalArgumentException e) {
            throw new KelpException(400, "InvalidArgument", e.getMessage());
        }
        try {
            return new AuditPage(reader.read(query).stream().map(AuditEvent::of).toList());
        } catch (EventStoreUnavailableException e) {
            throw new KelpException(503, "ServiceUnavailable", e.getMessage() + " (the events are kept and written once it is back)");
        }
    }

    private static Instant instant(String name, String text, Instant otherwise) {
        if (text == null || text.isBlank()) {
            return otherwise;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new KelpException(400, "InvalidArgument", name + " must be an ISO-8601 instant such as 2026-12-01T10:00:00Z, not " + text);
        }
    }

    /** A page of the audit trail. */
    @Serdeable
    @Schema(description = "Events newest first")
    record AuditPage(List<AuditEvent> events) {
    }

    /** One event as the audit trail shows it. */
    @Serdeable
    @Schema(description = "An access or change: the detail names the object's owner, the caller and its credential")
    record AuditEvent(String id, Instant at, String type, @Nullable String bucket, @Nullable String key, Map<String, String> detail) {

        static AuditEvent of(AgentEvent e) {
            return new AuditEvent(e.id().toString(), e.at(), e.type().name(), e.bucket(), e.key(), e.detail());
        }
    }
}
