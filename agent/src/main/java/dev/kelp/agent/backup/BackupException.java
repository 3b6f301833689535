package dev.kelp.agent.backup;

import dev.kelp.agent.object.KelpException;

/** A backup or restore request the agent refuses; nothing was changed. */
public final class BackupException extends KelpException {

    private BackupException(int status, String code, String message) {
        super(status, code, message);
    }

    static BackupException unknownSchedule(String name, java.util.Collection<String> known) {
        return new BackupException(404, "UnknownBackupSchedule", "no backup schedule named " + name
            + (known.isEmpty() ? "; this agent has none (kelp.backups.schedules)" : "; this agent has " + String.join(", ", known)));
    }

    public static BackupException leaseHeld(String name) {
        return new BackupException(409, "BackupRunning", "backup schedule " + name
            + " is being run by another agent of the policy (it holds the lease); try again when that run has finished");
    }

    static BackupException noRestorePoint(String message) {
        return new BackupException(409, "NoRestorePoint", message);
    }

    static BackupException badRequest(String message) {
        return new BackupException(400, "InvalidRestore", message);
    }

    static BackupException unknownRestore(String id) {
        return new BackupException(404, "UnknownRestore", "no restore with id " + id + " on this agent (restores are kept until it restarts)");
    }
}
