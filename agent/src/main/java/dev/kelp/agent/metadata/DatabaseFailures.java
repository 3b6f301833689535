package dev.kelp.agent.metadata;

import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

/**
 * Sorts what a database call threw: "the database cannot be reached" (the agent goes
 * LOCAL_ONLY), "two transactions collided" (run it again), or anything else (a bug or bad data:
 * let it through). The drivers and pools wrap their causes several layers deep, so the whole
 * cause chain is read.
 */
final class DatabaseFailures {

    private DatabaseFailures() {
    }

    /** No connection, a lost connection, or a server shutting down. */
    static boolean isUnavailable(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof SQLTransientConnectionException || t instanceof ConnectException) {
                // Hikari's "connection is not available, request timed out": either the server
                // refuses connections or it does not answer in time; to a caller both mean down.
                return true;
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                // 08: connection exception. 57P0x: admin/crash shutdown, "cannot connect now".
                if (state.startsWith("08") || state.startsWith("57P")) {
                    return true;
                }
                // H2: database closed or being closed (90098, 90121), file locked by another process (90020).
                if (state.equals("90098") || state.equals("90121") || state.equals("90020")) {
                    return true;
                }
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /**
     * Lost races that a new attempt resolves: serialization failure or deadlock (40001, 40P01),
     * a unique key inserted meanwhile (23505), lock wait timeout (H2: HYT00, 50200), concurrent
     * update of a row (H2: 90131).
     */
    static boolean isRetryable(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                switch (sql.getSQLState()) {
                    case "40001", "40P01", "23505", "HYT00", "50200", "90131" -> {
                        return true;
                    }
                    default -> {
                    }
                }
                if (sql.getErrorCode() == 50200 || sql.getErrorCode() == 90131) {
                    return true;
                }
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /** The deepest message in the chain: usually the one that says what went wrong ("Connection refused"). */
    static String rootMessage(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return root.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
