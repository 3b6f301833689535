package dev.kelp.agent.http;

import dev.kelp.agent.sync.SyncQueue;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.List;

/** GET /v1/mode: what the operator aggregates into the policy's status. */
@Serdeable
@Schema(description = "The agent's storage mode and what waits to sync")
public record ModeReport(
    @Schema(description = "FULL, FALLBACK or LOCAL_ONLY") String mode,
    @Schema(description = "When the agent entered this mode") Instant since,
    @Schema(description = "Why the agent is not in FULL mode; empty when it is") List<String> reasons,
    @Schema(description = "Objects written to the fallback volume that have not reached SeaweedFS yet") Pending pending) {

    @Serdeable
    public record Pending(
        @Schema(description = "Blobs waiting to sync") long objects,
        @Schema(description = "Bytes waiting to sync") long bytes,
        @Schema(description = "Age of the oldest waiting blob, in seconds") long oldestAgeSeconds) {

        /** The sync queue's figures, as the API reports them. */
        static Pending of(SyncQueue.Pending pending) {
            return new Pending(pending.objects(), pending.bytes(), pending.oldestAge().toSeconds());
        }

    }
}
