package dev.kelp.operator.report;

import dev.kelp.crds.v1alpha1.AgentMode;
import java.util.Collection;

/**
 * Folds the agents of one policy into a {@link FleetStatus}. Pure: the registry decides which
 * pods exist and which reports are still fresh, this only counts.
 */
final class FleetFold {

    /** One pod of the policy, and its latest report if that is still fresh (else null). */
    record Member(AgentReport freshReport) {
    }

    private FleetFold() {
    }

    static FleetStatus fold(Collection<Member> members) {
        int total = 0;
        int ready = 0;
        int[] byMode = new int[AgentMode.values().length];
        long pendingObjects = 0;
        long pendingBytes = 0;
        long oldest = 0;
        AgentMode worst = null;
        for (Member member : members) {
            total++;
            AgentReport report = member.freshReport();
            if (report == null) {
                continue;
            }
            // Pending sync counts whether or not the agent serves: it is data still to move.
            pendingObjects += report.pendingObjects();
            pendingBytes += report.pendingBytes();
            oldest = Math.max(oldest, report.oldestPendingAgeSeconds());
            if (report.ready()) {
                ready++;
                byMode[report.mode().ordinal()]++;
                if (worst == null || report.mode().compareTo(worst) > 0) {
                    worst = report.mode();
                }
            }
        }
        return new FleetStatus(total, ready, byMode[AgentMode.FULL.ordinal()], byMode[AgentMode.FALLBACK.ordinal()],
            byMode[AgentMode.LOCAL_ONLY.ordinal()], pendingObjects, pendingBytes, oldest, worst);
    }
}
