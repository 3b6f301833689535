package dev.kelp.agent.report;

import dev.kelp.agent.backup.BackupRuns;
import dev.kelp.agent.config.AgentIdentity;
import dev.kelp.agent.mode.ModeMonitor;
import dev.kelp.agent.mode.ModeState;
import dev.kelp.agent.sync.SyncQueue;
import dev.kelp.agent.tiering.TierRuns;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import io.micronaut.serde.ObjectMapper;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the operator this agent's mode, readiness and pending sync: on every change (at most
 * one report per debounce interval) and otherwise once per heartbeat. Everything happens on
 * one thread of its own, so a slow or absent operator never slows a request; a mode change
 * only flips a flag that thread picks up on its next tick.
 */
@Context
@Requires(beans = ReportConfig.class)
class ModeReporter {

    private static final Logger LOG = LoggerFactory.getLogger(ModeReporter.class);
    /** How often the thread looks at the flags, and how stale readiness may be. */
    static final Duration TICK = Duration.ofMillis(250);
    private static final Duration READINESS_EVERY = Duration.ofSeconds(1);

    private final ReportConfig config;
    private final ReportConfig.PodIdentity pod;
    private final String agentId;
    private final ModeMonitor monitor;
    private final SyncQueue queue;
    private final Readiness readiness;
    private final ObjectMapper json;
    private final Clock clock = Clock.systemUTC();
    private final ReportSchedule schedule;
    private final BoundedLog failureLog = new BoundedLog(Duration.ofMinutes(1));
    private final AtomicBoolean modeChanged = new AtomicBoolean();
    private final QueueEmptiness queueEmptiness = new QueueEmptiness();
    private final Counter accepted;
    private final Counter failed;
    private final Counter notLeader;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(
        Thread.ofPlatform().name("kelp-mode-reporter").daemon().factory());
    private ReportSender sender;
    private long seq;
    private boolean ready;
    private final BackupRuns backups;
    private long backupsReported = -1;
    private final TierRuns tierRuns;
    private long tierRunsReported = -1;
    private Instant readinessCheckedAt = Instant.MIN;

    ModeReporter(ReportConfig config, AgentIdentity identity, ModeMonitor monitor, SyncQueue queue,
                 Readiness readiness, ObjectMapper json, MeterRegistry meters, BackupRuns backups, TierRuns tierRuns) {
        this.backups = backups;
        this.tierRuns = tierRuns;
        this.config = config;
        this.pod = config.identity(System.getenv());
        this.agentId = identity.id();
        this.monitor = monitor;
        this.queue = queue;
        this.readiness = readiness;
        this.json = json;
        this.schedule = new ReportSchedule(config.debounce(), config.heartbeat(), () -> ThreadLocalRandom.current().nextDouble());
        this.accepted = meters.counter("kelp.report.sent", "outcome", "accepted");
        this.failed = meters.counter("kelp.report.sent", "outcome", "failed");
        this.notLeader = meters.counter("kelp.report.sent", "outcome", "not-leader");
    }

    @PostConstruct
    void start() {
        sender = new ReportSender(config.url(), config.timeout(), ReportSender.clients(config));
        monitor.addListener(state -> modeChanged.set(true));
        thread.scheduleWithFixedDelay(this::tickSafely, 0, TICK.toMillis(), TimeUnit.MILLISECONDS);
        LOG.info("reporting mode to {} as pod {}/{} of policy {} every {} (debounce {})",
            config.url(), pod.namespace(), pod.pod(), pod.policy(), config.heartbeat(), config.debounce());
    }

    @PreDestroy
    void stop() throws InterruptedException {
        thread.shutdownNow();
        thread.awaitTermination(5, TimeUnit.SECONDS);
        if (sender != null) {
            sender.close();
        }
    }

    private void tickSafely() {
        try {
            tick();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // The thread must survive anything, or reporting would stop for good.
            LOG.warn("mode report tick failed", e);
        }
    }

    private void tick() throws InterruptedException {
        Instant now = clock.instant();
        if (modeChanged.getAndSet(false)) {
            schedule.changed();
        }
        if (!now.isBefore(readinessCheckedAt.plus(READINESS_EVERY))) {
            readinessCheckedAt = now;
            boolean nowReady = readiness.ready();
            if (nowReady != ready) {
                ready = nowReady;
                schedule.changed();
            }
            if (queueEmptiness.flipped(queue.pending().objects())) {
                schedule.changed();
            }
        }
        if (backups.version() != backupsReported || tierRuns.version() != tierRunsReported) {
            schedule.changed();
        }
        if (!schedule.due(now)) {
            return;
        }
        long backupsVersion = backups.version();
        long tierRunsVersion = tierRuns.version();
        var result = sender.send(body(monitor.current(), now));
        Instant after = clock.instant();
        switch (result.outcome()) {
            case ACCEPTED -> {
                accepted.increment();
                backupsReported = backupsVersion;
                tierRunsReported = tierRunsVersion;
                if (failureLog.inFailureRun()) {
                    LOG.info("mode reports reach {} again", config.url());
                }
                failureLog.recovered();
                schedule.sent(after);
            }
            case NOT_LEADER -> {
                notLeader.increment();
                schedule.failed(after, true);
            }
            case FAILED -> {
                failed.increment();
                schedule.failed(after, false);
                if (failureLog.shouldLog(after)) {
                    long more = failureLog.suppressed();
                    LOG.warn("mode report to {} failed: {}{}", config.url(), result.detail(),
                        more > 0 ? " (" + more + " earlier failures not logged)" : "");
                }
            }
        }
    }

    private byte[] body(ModeState state, Instant now) {
        var pending = queue.pending();
        var report = new AgentReport(pod.policy(), pod.namespace(), pod.pod(), pod.uid(), agentId,
            state.mode().name(), state.since().toString(), state.reasons(), ready,
            new AgentReport.Pending(pending.objects(), pending.bytes(), pending.oldestAge().toSeconds()),
            ++seq, now.toString(), Math.max(1, config.heartbeat().toSeconds()),
            backups.reportable().stream().map(m -> new AgentReport.BackupRun(m.schedule(), m.id(), m.phase(), m.startedAt(),
                m.finishedAt(), m.objects(), m.bytes(), m.verified(), m.message())).toList(),
            tierRuns.reportable().stream().map(r -> new AgentReport.TierRun(r.rule(), r.id(), r.phase(), r.startedAt(), r.finishedAt(),
                r.objectsMoved(), r.bytesMoved(), r.objectsExpired(), r.bytesExpired(), r.hotBytes(), r.coldBytes(), r.errors(),
                r.message())).toList());
        try {
            return json.writeValueAsBytes(report);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise the mode report", e);
        }
    }
}
