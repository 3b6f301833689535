package dev.kelp.agent.http;

import dev.kelp.agent.backup.BackupException;
import dev.kelp.agent.backup.BackupManifest;
import dev.kelp.agent.backup.BackupRunner;
import dev.kelp.agent.backup.BackupSchedules;
import dev.kelp.agent.backup.RestoreService;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import java.util.List;

/** Backups of this policy's objects and restores from them (docs/backups.md). */
@Controller("/v1")
@ExecuteOn(TaskExecutors.BLOCKING)
class BackupController {

    private static final String SCHEDULE_DOC = "Name of a BackupSchedule of the policy (kelp.backups.schedules[].name)";

    private final BackupSchedules schedules;
    private final BackupRunner runner;
    private final RestoreService restores;

    BackupController(BackupSchedules schedules, BackupRunner runner, RestoreService restores) {
        this.schedules = schedules;
        this.runner = runner;
        this.restores = restores;
    }

    @Operation(summary = "List the backups of a schedule", description = "Read from the backup target itself, newest first: what a restore can use.")
    @ApiResponse(responseCode = "200", description = "The runs, with phase, times, counts and whether they were verified")
    @ApiResponse(responseCode = "404", description = "No such schedule")
    @Get(uri = "/backups/{schedule}", produces = MediaType.APPLICATION_JSON)
    List<BackupManifest> backups(@Parameter(description = SCHEDULE_DOC) String schedule) {
        return restores.backups(schedule);
    }

    @Operation(summary = "Back up now", description = "Runs one backup of the schedule and answers when it has finished, Succeeded or Failed (see phase and message).")
    @ApiResponse(responseCode = "200", description = "The run's manifest")
    @ApiResponse(responseCode = "404", description = "No such schedule")
    @ApiResponse(responseCode = "409", description = "Another agent of the policy is running this schedule")
    @Post(uri = "/backups/{schedule}", produces = MediaType.APPLICATION_JSON)
    BackupManifest backUpNow(@Parameter(description = SCHEDULE_DOC) String schedule) {
        var config = schedules.require(schedule);
        return runner.runIfLeaseFree(config).orElseThrow(() -> BackupException.leaseHeld(schedule));
    }

    @Operation(summary = "Restore from a backup", description = "Chooses the newest successful backup of the schedule taken at or before 'at' (absent: the newest), "
        + "checks everything that could refuse it, then restores in the background into the same buckets or 'targetBucket'. Poll GET /v1/restores/{id}.")
    @ApiResponse(responseCode = "202", description = "Started")
    @ApiResponse(responseCode = "400", description = "A bucket that is not the policy's, or targetBucket without bucket")
    @ApiResponse(responseCode = "404", description = "No such schedule")
    @ApiResponse(responseCode = "409", description = "No successful backup at or before 'at'")
    @Post(uri = "/restores", consumes = MediaType.APPLICATION_JSON, produces = MediaType.APPLICATION_JSON)
    HttpResponse<RestoreService.Restore> restore(@Body RestoreService.Request request) {
        return HttpResponse.accepted().body(restores.start(request));
    }

    @Operation(summary = "A restore's progress")
    @ApiResponse(responseCode = "200", description = "Phase Running, Succeeded or Failed, with counts")
    @ApiResponse(responseCode = "404", description = "No such restore on this agent")
    @Get(uri = "/restores/{id}", produces = MediaType.APPLICATION_JSON)
    RestoreService.Restore restoreStatus(@Parameter(description = "The id POST /v1/restores answered with") String id) {
        return restores.status(id);
    }
}
