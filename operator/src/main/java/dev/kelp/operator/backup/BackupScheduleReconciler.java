package dev.kelp.operator.backup;

import dev.kelp.crds.v1alpha1.BackupSchedule;
import dev.kelp.crds.v1alpha1.BackupScheduleStatus;
import dev.kelp.crds.v1alpha1.StoragePolicy;
import dev.kelp.operator.policy.Announcements;
import dev.kelp.operator.policy.Conditions;
import dev.kelp.operator.policy.KubeEvents;
import dev.kelp.operator.policy.PolicyAttachment;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.MaxReconciliationInterval;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Keeps a BackupSchedule's status: whether the policy it names exists, when the next backup is
 * due ({@code nextRun}, recomputed when it has passed), and the runs the policy's agents report
 * ({@code phase}, {@code lastBackup}, {@code lastBackupTime}, {@code history}; see
 * {@link BackupHistory}).
 */
@ControllerConfiguration(name = "backupschedule",
    maxReconciliationInterval = @MaxReconciliationInterval(interval = 5, timeUnit = TimeUnit.MINUTES))
public class BackupScheduleReconciler implements Reconciler<BackupSchedule> {

    private final KubeEvents events;
    private final Clock clock;
    private final Announcements announced = new Announcements();
    private final Optional<BackupRunEventSource> runs;

    /** @param runs the agents' reports of runs; empty: status shows no runs (an operator without reports) */
    public BackupScheduleReconciler(KubeEvents events, Clock clock, Optional<BackupRunEventSource> runs) {
        this.events = events;
        this.clock = clock;
        this.runs = runs;
    }

    @Override
    public List<EventSource<?, BackupSchedule>> prepareEventSources(EventSourceContext<BackupSchedule> context) {
        var sources = new java.util.ArrayList<EventSource<?, BackupSchedule>>();
        sources.add(PolicyAttachment.policies(context, BackupSchedule.class, b -> b.getSpec().getPolicyRef().getName()));
        runs.ifPresent(sources::add);
        return sources;
    }

    @Override
    public UpdateControl<BackupSchedule> reconcile(BackupSchedule schedule, Context<BackupSchedule> context) {
        var spec = schedule.getSpec();
        String namespace = schedule.getMetadata().getNamespace();
        Instant now = Instant.now(clock);
        var policy = context.getSecondaryResource(StoragePolicy.class);
        var problems = PolicyAttachment.targetSecret(spec.getTarget(), namespace, context.getClient());
        var ready = PolicyAttachment.ready(policy, spec.getPolicyRef().getName(), namespace, problems);

        Optional<Instant> next = Optional.empty();
        if (!Boolean.TRUE.equals(spec.getSuspend())) {
            try {
                next = NextRun.after(spec.getSchedule(), now);
            } catch (IllegalArgumentException e) {
                ready = new Conditions.Observation(Conditions.READY, false, "InvalidSchedule",
                    "schedule '" + spec.getSchedule() + "' is not a cron expression this operator can compute: " + e.getMessage());
            }
        }

        var previous = schedule.getStatus() == null ? new BackupScheduleStatus() : schedule.getStatus();
        if (announced.isNews(schedule, previous.getConditions(), ready)) {
            if (ready.holds()) {
                events.normal(schedule, ready.reason(), ready.message());
            } else {
                events.warning(schedule, ready.reason(), ready.message());
            }
        }
        var status = new BackupScheduleStatus();
        BackupHistory.fold(previous, runs.map(r -> r.runsOf(schedule)).orElse(List.of()), status);
        status.setNextRun(next.map(Instant::toString).orElse(null));
        status.setObservedGeneration(schedule.getMetadata().getGeneration());
        status.setConditions(Conditions.with(previous.getConditions(), ready, schedule.getMetadata().getGeneration(), now));

        UpdateControl<BackupSchedule> control;
        if (schedule.getStatus() != null && Serialization.asJson(schedule.getStatus()).equals(Serialization.asJson(status))) {
            control = UpdateControl.noUpdate();
        } else {
            schedule.setStatus(status);
            control = UpdateControl.patchStatus(schedule);
        }
        // Come back just after the due time, so nextRun moves on to the following one.
        return next.map(n -> control.rescheduleAfter(Duration.between(now, n).plusSeconds(1))).orElse(control);
    }
}
