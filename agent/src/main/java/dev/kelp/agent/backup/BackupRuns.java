package dev.kelp.agent.backup;

import jakarta.inject.Singleton;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The latest backup run of each schedule this agent ran or found abandoned, for the mode
 * report: the operator puts them into the BackupSchedule's status (phase, last backup,
 * history). {@link #version} moves on every change, so the reporter reports at once.
 */
@Singleton
public class BackupRuns {

    private final Map<String, BackupManifest> latest = new ConcurrentHashMap<>();
    private final Map<String, BackupManifest> abandoned = new ConcurrentHashMap<>();
    private final AtomicLong version = new AtomicLong();

    void ran(BackupManifest manifest) {
        latest.put(manifest.schedule(), manifest);
        version.incrementAndGet();
    }

    /** A run another runner left Running, now marked Failed: reported once so the status history shows it. */
    void abandoned(BackupManifest failed) {
        abandoned.put(failed.schedule() + "/" + failed.id(), failed);
        version.incrementAndGet();
    }

    public long version() {
        return version.get();
    }

    /** Newest first per schedule: the current run, then runs found abandoned. */
    public List<BackupManifest> reportable() {
        var all = new java.util.ArrayList<BackupManifest>(latest.values());
        abandoned.values().stream().filter(a -> !latest.containsKey(a.schedule()) || !latest.get(a.schedule()).id().equals(a.id()))
            .forEach(all::add);
        all.sort(java.util.Comparator.comparing(BackupManifest::id).reversed());
        return all.stream().limit(32).toList();
    }
}
