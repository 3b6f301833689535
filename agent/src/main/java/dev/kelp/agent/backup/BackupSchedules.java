package dev.kelp.agent.backup;

import jakarta.inject.Singleton;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The schedules of {@code kelp.backups.schedules}, by name, each with its cron parsed once. */
@Singleton
public class BackupSchedules {

    private final Map<String, BackupScheduleConfig> byName = new LinkedHashMap<>();
    private final Map<String, CronSchedule> crons = new LinkedHashMap<>();

    BackupSchedules(List<BackupScheduleConfig> schedules) {
        for (BackupScheduleConfig s : schedules) {
            if (s.name() == null || s.name().isBlank()) {
                throw new IllegalArgumentException("every kelp.backups.schedules entry needs a name");
            }
            if (byName.putIfAbsent(s.name(), s) != null) {
                throw new IllegalArgumentException("kelp.backups.schedules names " + s.name() + " twice");
            }
            try {
                crons.put(s.name(), CronSchedule.parse(s.schedule()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("kelp.backups.schedules " + s.name() + ": schedule '" + s.schedule()
                    + "' is not a 5-field cron expression: " + e.getMessage(), e);
            }
        }
    }

    public BackupScheduleConfig require(String name) {
        var schedule = byName.get(name);
        if (schedule == null) {
            throw BackupException.unknownSchedule(name, byName.keySet());
        }
        return schedule;
    }

    CronSchedule cron(String name) {
        return crons.get(name);
    }

    java.util.Collection<BackupScheduleConfig> all() {
        return byName.values();
    }
}
