package dev.kelp.agent.http;

import dev.kelp.agent.tiering.CostReport;
import dev.kelp.agent.tiering.TierRun;
import dev.kelp.agent.tiering.TierRunner;
import dev.kelp.agent.tiering.TierRules;
import dev.kelp.agent.tiering.TieringException;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.responses.ApiResponse;

/** Tiering of this policy's objects between hot and cold storage (docs/tiering.md). */
@Controller("/v1/tiering")
@ExecuteOn(TaskExecutors.BLOCKING)
class TieringController {

    private final TierRules rules;
    private final TierRunner runner;
    private final CostReport costs;

    TieringController(TierRules rules, TierRunner runner, CostReport costs) {
        this.rules = rules;
        this.runner = runner;
        this.costs = costs;
    }

    @Operation(summary = "Objects, bytes and estimated monthly cost per tier",
        description = "Per bucket (every object) and per tier rule and bucket (the objects the rule matches): objects and bytes whose content is hot "
            + "and cold, and the monthly storage cost at kelp.tiering's prices per GiB-month, now and if everything were hot.")
    @ApiResponse(responseCode = "200", description = "The report")
    @ApiResponse(responseCode = "503", description = "The metadata database cannot be reached")
    @Get(uri = "/report", produces = MediaType.APPLICATION_JSON)
    CostReport.Report report() {
        return costs.report();
    }

    @Operation(summary = "Run a tier rule now",
        description = "Moves the objects the rule finds unused for cold-after to its cold target and expires those unused for expire-after, "
            + "then answers with the run: counts, bytes per tier and, when it Failed, why.")
    @ApiResponse(responseCode = "200", description = "The run, Succeeded or Failed")
    @ApiResponse(responseCode = "404", description = "No such rule")
    @ApiResponse(responseCode = "409", description = "Another agent of the policy is running this rule")
    @Post(uri = "/rules/{rule}/run", produces = MediaType.APPLICATION_JSON)
    TierRun runNow(@Parameter(description = "Name of a TierRule of the policy (kelp.tiering.rules[].name)") String rule) {
        return runner.runIfLeaseFree(rules.require(rule)).orElseThrow(() -> TieringException.leaseHeld(rule));
    }
}
