package dev.kelp.agent.tiering;

import jakarta.inject.Singleton;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The latest run of each tier rule this agent ran, for the mode report: the operator puts them
 * into the TierRule's status. {@link #version} moves on every change, so the reporter reports at once.
 */
@Singleton
public class TierRuns {

    private final Map<String, TierRun> latest = new ConcurrentHashMap<>();
    private final AtomicLong version = new AtomicLong();

    void ran(TierRun run) {
        latest.put(run.rule(), run);
        version.incrementAndGet();
    }

    public long version() {
        return version.get();
    }

    /** The latest run of each rule, newest first. */
    public List<TierRun> reportable() {
        return latest.values().stream().sorted(Comparator.comparing(TierRun::id).reversed()).limit(32).toList();
    }
}
