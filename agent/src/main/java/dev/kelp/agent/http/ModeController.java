package dev.kelp.agent.http;

import dev.kelp.agent.mode.ModeMonitor;
import dev.kelp.agent.sync.SyncQueue;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.swagger.v3.oas.annotations.Operation;

/** The agent's mode and pending sync, for apps, people and the operator's aggregation. */
@Controller("/v1/mode")
class ModeController {

    private final ModeMonitor monitor;
    private final SyncQueue queue;

    ModeController(ModeMonitor monitor, SyncQueue queue) {
        this.monitor = monitor;
        this.queue = queue;
    }

    @Operation(summary = "Current mode, since when, why, and what waits to sync")
    @Get(produces = MediaType.APPLICATION_JSON)
    ModeReport mode() {
        var state = monitor.current();
        return new ModeReport(state.mode().name(), state.since(), state.reasons(),
            ModeReport.Pending.of(queue.pending()));
    }
}
