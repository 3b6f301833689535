package dev.kelp.agent.http;

import dev.kelp.agent.mode.Mode;
import dev.kelp.agent.mode.ModeMonitor;
import dev.kelp.agent.object.KelpException;
import dev.kelp.agent.sync.SyncDrainer;
import dev.kelp.agent.sync.SyncQueue;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import java.util.Optional;

/**
 * Drain the fallback queue now: the drain runs by itself whenever the agent is FULL, this
 * only saves waiting for the next round (docs/runbook.md, "force a drain").
 */
@Controller("/v1/sync")
class SyncController {

    private final Optional<SyncDrainer> drainer;
    private final ModeMonitor monitor;
    private final SyncQueue queue;

    SyncController(Optional<SyncDrainer> drainer, ModeMonitor monitor, SyncQueue queue) {
        this.drainer = drainer;
        this.monitor = monitor;
        this.queue = queue;
    }

    @Operation(summary = "Start draining the fallback queue to SeaweedFS now",
        description = "Answers at once with what is pending; watch GET /v1/mode for the queue to empty.")
    @ApiResponse(responseCode = "202", description = "A drain round has started (or was already running)")
    @ApiResponse(responseCode = "409", description = "The agent is not FULL, or has no SeaweedFS: nothing can drain now")
    @Post(produces = MediaType.APPLICATION_JSON)
    HttpResponse<ModeReport.Pending> drain() {
        var state = monitor.current();
        if (drainer.isEmpty()) {
            throw new KelpException(409, "NoRemoteStore", "no SeaweedFS is configured: objects stay on the local volume");
        }
        if (state.mode() != Mode.FULL) {
            throw new KelpException(409, "NotFull", "the agent is " + state.mode() + " (" + String.join("; ", state.reasons())
                + "): the queue drains by itself as soon as SeaweedFS is healthy again");
        }
        drainer.get().requestDrain();
        return HttpResponse.accepted().body(ModeReport.Pending.of(queue.pending()));
    }
}
