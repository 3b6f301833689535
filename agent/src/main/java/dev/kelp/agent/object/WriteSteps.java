package dev.kelp.agent.object;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The time each step of a write takes (failed steps included), as the timer {@code kelp.write.step}
 * tagged {@code step} (docs/runbook.md): {@code receive} (the body read, hashed and staged),
 * {@code dedup-lookup} (is this content stored already), {@code store} (SeaweedFS, or the
 * fallback volume and its sync-queue entry) and {@code metadata} (the commit). Beside the
 * server's request timer they say where a slow write's time goes, without a profiler on the
 * pod; each is a histogram so that percentiles add up across agents.
 */
@Singleton
public class WriteSteps {

    private final Timer receive;
    private final Timer dedupLookup;
    private final Timer store;
    private final Timer metadata;

    @Inject
    public WriteSteps(MeterRegistry meters) {
        this.receive = timer(meters, "receive");
        this.dedupLookup = timer(meters, "dedup-lookup");
        this.store = timer(meters, "store");
        this.metadata = timer(meters, "metadata");
    }

    /** Steps timed into a registry of their own, read by nobody: for tests and tools. */
    public static WriteSteps unobserved() {
        return new WriteSteps(new SimpleMeterRegistry());
    }

    /**
     * Fixed bucket bounds rather than Micrometer's percentile histogram, whose ~90 buckets per
     * step made 388 series per agent: too many for a fleet's Prometheus. These keep
     * {@code histogram_quantile} meaningful from a fraction of a millisecond (a lookup) to a minute
     * (a large upload).
     */
    private static final Duration[] BUCKETS = {
        Duration.ofNanos(250_000), Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5),
        Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
        Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10),
        Duration.ofSeconds(30), Duration.ofSeconds(60)};

    private static Timer timer(MeterRegistry meters, String step) {
        return Timer.builder("kelp.write.step").tag("step", step)
            .description("Time taken by one step of a write")
            .serviceLevelObjectives(BUCKETS)
            .register(meters);
    }

    <T> T receive(Supplier<T> step) {
        return receive.record(step);
    }

    <T> T dedupLookup(Supplier<T> step) {
        return dedupLookup.record(step);
    }

    void store(Runnable step) {
        store.record(step);
    }

    <T> T metadata(Supplier<T> step) {
        return metadata.record(step);
    }
}
