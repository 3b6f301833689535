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

    private static Timer timer(MeterRegistry meters, String step) {
        return Timer.builder("kelp.write.step").tag("step", step)
            .description("Time taken by one step of a write")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofNanos(100_000))
            .maximumExpectedValue(Duration.ofMinutes(2))
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
