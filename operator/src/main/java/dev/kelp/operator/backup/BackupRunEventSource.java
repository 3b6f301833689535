package dev.kelp.operator.backup;

import dev.kelp.crds.v1alpha1.BackupSchedule;
import dev.kelp.operator.report.AgentRegistry;
import dev.kelp.operator.report.BackupRunReport;
import dev.kelp.operator.report.FleetListener;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Triggers a BackupSchedule's reconcile when an agent reports a run of it that is new or has
 * moved on (Running to Succeeded, say): runs change a few times a day, so each change is a
 * reconcile, and a heartbeat that repeats them triggers nothing.
 */
public final class BackupRunEventSource extends AbstractEventSource<BackupRunReport, BackupSchedule> implements FleetListener {

    private final AgentRegistry registry;
    private final Map<String, Set<BackupRunReport>> lastSeen = new ConcurrentHashMap<>();

    public BackupRunEventSource(AgentRegistry registry) {
        super(BackupRunReport.class, "backup-runs");
        this.registry = registry;
        registry.addListener(this);
    }

    /** What the agents of the schedule's policy report about its runs. */
    public List<BackupRunReport> runsOf(BackupSchedule schedule) {
        String namespace = schedule.getMetadata().getNamespace();
        return registry.backupRuns(namespace, schedule.getSpec().getPolicyRef().getName()).stream()
            .filter(r -> r.schedule().equals(schedule.getMetadata().getName())).toList();
    }

    @Override
    public Set<BackupRunReport> getSecondaryResources(BackupSchedule schedule) {
        return Set.copyOf(runsOf(schedule));
    }

    @Override
    public void mayHaveChanged(String namespace, String policy) {
        var runs = registry.backupRuns(namespace, policy);
        for (String schedule : runs.stream().map(BackupRunReport::schedule).distinct().toList()) {
            var ofSchedule = Set.copyOf(runs.stream().filter(r -> r.schedule().equals(schedule)).toList());
            var before = lastSeen.put(namespace + "/" + schedule, ofSchedule);
            if (!ofSchedule.equals(before) && isRunning()) {
                getEventHandler().handleEvent(new Event(new ResourceID(schedule, namespace)));
            }
        }
    }
}
