package dev.kelp.agent.backup;

import io.micronaut.context.BeanProvider;
import io.micronaut.context.annotation.Context;
import jakarta.annotation.PreDestroy;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fires each schedule at its cron times, on a virtual thread of its own. Every agent of the
 * policy fires; the lease lets exactly one run. A firing missed while the agent was down is
 * not made up (the next one comes; "run now" is {@code POST /v1/backups/{schedule}}).
 */
@Context
final class BackupScheduler {

    private static final Logger LOG = LoggerFactory.getLogger(BackupScheduler.class);

    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean stopping;

    // The runner is resolved when a schedule fires, not at start: an eager bean that built the
    // engine would turn a bad setting of another part into a failure of the whole context.
    BackupScheduler(BackupSchedules schedules, BeanProvider<BackupRunner> runner) {
        var clock = Clock.systemUTC();
        for (BackupScheduleConfig schedule : schedules.all()) {
            CronSchedule cron = schedules.cron(schedule.name());
            threads.add(Thread.ofVirtual().name("kelp-backup-" + schedule.name()).start(() -> loop(schedule, cron, runner, clock)));
        }
    }

    private void loop(BackupScheduleConfig schedule, CronSchedule cron, BeanProvider<BackupRunner> runner, Clock clock) {
        while (!stopping) {
            var next = cron.nextAfter(clock.instant());
            if (next.isEmpty()) {
                LOG.warn("backup schedule {} ({}) never fires", schedule.name(), cron);
                return;
            }
            try {
                Thread.sleep(Math.max(0, Duration.between(clock.instant(), next.get()).toMillis()));
            } catch (InterruptedException e) {
                return;
            }
            if (schedule.suspend()) {
                LOG.info("backup schedule {} is suspended: not running at {}", schedule.name(), next.get());
                continue;
            }
            try {
                runner.get().runIfLeaseFree(schedule);
            } catch (RuntimeException e) {
                // e.g. the metadata database is down, so no lease can be had: the next firing tries again.
                LOG.warn("backup schedule {} could not run at {}: {}", schedule.name(), next.get(), e.getMessage());
            }
        }
    }

    @PreDestroy
    void stop() {
        stopping = true;
        threads.forEach(Thread::interrupt);
    }
}
