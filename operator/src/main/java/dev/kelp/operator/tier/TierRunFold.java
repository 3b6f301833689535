package dev.kelp.operator.tier;

import dev.kelp.crds.v1alpha1.TierRuleStatus;
import dev.kelp.operator.policy.Conditions;
import dev.kelp.operator.report.TierRunReport;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;

/**
 * Folds the runs the agents report into a TierRule's status: the newest finished run gives
 * {@code lastRun}, {@code objectsMoved}, {@code bytesMoved} and {@code bytesPerTier}, and the
 * {@code LastRunSucceeded} condition says whether it succeeded and, when not, why. With no run
 * reported (a new leader, the agents restarted) the figures already in status stay.
 */
final class TierRunFold {

    static final String LAST_RUN_SUCCEEDED = "LastRunSucceeded";

    private TierRunFold() {
    }

    /** The newest finished run, by finish time then id; several agents may each report the run they last made. */
    static Optional<TierRunReport> latestFinished(List<TierRunReport> runs) {
        return runs.stream().filter(r -> r.finishedAt() != null)
            .max(Comparator.comparing(TierRunReport::finishedAt).thenComparing(TierRunReport::id));
    }

    static void fold(TierRuleStatus previous, List<TierRunReport> runs, TierRuleStatus status) {
        var latest = latestFinished(runs);
        if (latest.isEmpty()) {
            status.setLastRun(previous.getLastRun());
            status.setObjectsMoved(previous.getObjectsMoved());
            status.setBytesMoved(previous.getBytesMoved());
            status.setBytesPerTier(previous.getBytesPerTier());
            return;
        }
        var run = latest.get();
        status.setLastRun(run.finishedAt().toString());
        status.setObjectsMoved(run.objectsMoved());
        status.setBytesMoved(run.bytesMoved());
        var tiers = new LinkedHashMap<String, Long>();
        tiers.put("hot", run.hotBytes());
        tiers.put("cold", run.coldBytes());
        status.setBytesPerTier(tiers);
    }

    /** The condition the newest finished run gives, if there is one. */
    static Optional<Conditions.Observation> lastRunCondition(List<TierRunReport> runs) {
        return latestFinished(runs).map(run -> "Succeeded".equals(run.phase())
            ? new Conditions.Observation(LAST_RUN_SUCCEEDED, true, "Succeeded", "run " + run.id() + " moved " + run.objectsMoved()
                + " objects (" + run.bytesMoved() + " bytes) cold and expired " + run.objectsExpired() + " (" + run.bytesExpired() + " bytes)")
            : new Conditions.Observation(LAST_RUN_SUCCEEDED, false, "Failed", "run " + run.id() + " failed"
                + (run.errors() > 0 ? " (" + run.errors() + " objects not moved or expired)" : "") + ": "
                + (run.message() == null ? "no reason given" : run.message())));
    }
}
