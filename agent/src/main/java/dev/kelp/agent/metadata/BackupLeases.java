package dev.kelp.agent.metadata;

import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;

/**
 * Leases on backup schedules in the shared metadata database, so that of all the agents of a
 * policy exactly one runs a schedule at a time. Plain INSERT and conditional UPDATE, which
 * PostgreSQL and H2 both run the same way: the row's primary key decides a race to create
 * it, and the UPDATE's condition (expired, or already ours) a race to take it over.
 */
@Singleton
public class BackupLeases {

    private final MetadataDatabase database;

    BackupLeases(MetadataDatabase database) {
        this.database = database;
    }

    /**
     * Takes or renews the lease of {@code schedule} for {@code holder} until {@code now + ttl}.
     * True when {@code holder} holds it now; false when another holder's lease has not expired.
     */
    public boolean acquire(String schedule, String holder, Instant now, Duration ttl) {
        Timestamp expires = Timestamp.from(now.plus(ttl));
        try (Connection c = database.connect()) {
            c.setAutoCommit(true);
            try (var update = c.prepareStatement(
                "UPDATE backup_leases SET holder = ?, expires_at = ? WHERE schedule = ? AND (holder = ? OR expires_at < ?)")) {
                update.setString(1, holder);
                update.setTimestamp(2, expires);
                update.setString(3, schedule);
                update.setString(4, holder);
                update.setTimestamp(5, Timestamp.from(now));
                if (update.executeUpdate() == 1) {
                    return true;
                }
            }
            try (var insert = c.prepareStatement("INSERT INTO backup_leases (schedule, holder, expires_at) VALUES (?, ?, ?)")) {
                insert.setString(1, schedule);
                insert.setString(2, holder);
                insert.setTimestamp(3, expires);
                insert.executeUpdate();
                return true;
            } catch (SQLException e) {
                if (DatabaseFailures.isUniqueViolation(e)) {
                    return false; // someone holds it, unexpired
                }
                throw e;
            }
        } catch (SQLException e) {
            throw new MetadataUnavailableException("cannot take the backup lease of " + schedule + ": " + DatabaseFailures.rootMessage(e), e);
        }
    }

    /** Gives the lease up at once, so the next run need not wait for it to expire. */
    public void release(String schedule, String holder) {
        try (Connection c = database.connect(); var delete = c.prepareStatement(
            "DELETE FROM backup_leases WHERE schedule = ? AND holder = ?")) {
            c.setAutoCommit(true);
            delete.setString(1, schedule);
            delete.setString(2, holder);
            delete.executeUpdate();
        } catch (SQLException e) {
            throw new MetadataUnavailableException("cannot release the backup lease of " + schedule + ": " + DatabaseFailures.rootMessage(e), e);
        }
    }
}
