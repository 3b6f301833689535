package dev.kelp.agent.metadata;

import io.micronaut.data.connection.exceptions.ConnectionException;
import io.micronaut.data.connection.exceptions.NoConnectionException;
import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Sorts what a database call threw: "the database cannot be reached" (the agent goes
 * LOCAL_ONLY), "two transactions collided" (run it again), or anything else (a bug or bad data:
 * let it through). The drivers and pools wrap their causes several layers deep, so the whole
 * cause chain is read.
 */
final class DatabaseFailures {

    private static final Set<String> RETRYABLE_STATES = Set.of("40001", "40P01", "23505", "HYT00", "50200", "90131");

    private DatabaseFailures() {
    }

    /** No connection, a lost connection, or a server shutting down. */
    static boolean isUnavailable(Throwable error) {
        return anyInChain(error, DatabaseFailures::signalsUnavailable);
    }

    private static boolean signalsUnavailable(Throwable t) {
        if (t instanceof SQLTransientConnectionException || t instanceof ConnectException) {
            // Hikari's "connection is not available, request timed out": either the server
            // refuses connections or it does not answer in time; to a caller both mean down.
            return true;
        }
        if (t instanceof ConnectionException && !(t instanceof NoConnectionException)) {
            // Micronaut could not open, set up or restore a connection. When a connection dies
            // mid-transaction, its cleanup fails on the closed connection and this replaces the
            // original error.
            return true;
        }
        if (t instanceof SQLException sql) {
            String state = sql.getSQLState();
            if (state == null) {
                // Hikari's proxy of a connection it closed after a fatal error carries no SQLState.
                return "Connection is closed".equals(sql.getMessage());
            }
            // 08: connection exception. 57P0x: admin/crash shutdown, "cannot connect now".
            // H2: database closed or being closed (90098, 90121), file locked by another process (90020).
            return state.startsWith("08") || state.startsWith("57P")
                || state.equals("90098") || state.equals("90121") || state.equals("90020");
        }
        return false;
    }

    /**
     * Hikari's "connection is not available, request timed out" while the database answers:
     * connections are open and all in use by this agent's own work (a burst of writers), and no
     * attempt to open one has failed. Hikari gives the timeout the last failure to connect as its
     * cause when there was one (and forgets it once a connection opens again), and its message
     * counts the active connections; a pool with none open is not busy, it cannot connect.
     */
    static boolean isPoolBusy(Throwable error) {
        return anyInChain(error, t -> t instanceof SQLTransientConnectionException && t.getCause() == null
            && t.getMessage() != null && ACTIVE_CONNECTIONS.matcher(t.getMessage()).find());
    }

    private static final java.util.regex.Pattern ACTIVE_CONNECTIONS = java.util.regex.Pattern.compile("\\bactive=[1-9]");

    /**
     * Lost races that a new attempt resolves: serialization failure or deadlock (40001, 40P01),
     * a unique key inserted meanwhile (23505), lock wait timeout (H2: HYT00, 50200), concurrent
     * update of a row (H2: 90131).
     */
    static boolean isRetryable(Throwable error) {
        return anyInChain(error, t -> t instanceof SQLException sql && (RETRYABLE_STATES.contains(String.valueOf(sql.getSQLState()))
            || sql.getErrorCode() == 50200 || sql.getErrorCode() == 90131));
    }

    /** Walks causes and suppressed exceptions: cleanup failures often hide the first error there. */
    private static boolean anyInChain(Throwable error, Predicate<Throwable> test) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Throwable> todo = new ArrayDeque<>();
        todo.add(error);
        while (!todo.isEmpty()) {
            Throwable t = todo.poll();
            if (t == null || !seen.add(t)) {
                continue;
            }
            if (test.test(t)) {
                return true;
            }
            if (t.getCause() != null) {
                todo.add(t.getCause());
            }
            todo.addAll(List.of(t.getSuppressed()));
            if (t instanceof SQLException sql && sql.getNextException() != null) {
                todo.add(sql.getNextException());
            }
        }
        return false;
    }

    /** A primary key or unique index refused a row: 23505 on PostgreSQL, and on H2 too (DUPLICATE_KEY_1). */
    static boolean isUniqueViolation(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && "23505".equals(s.getSQLState())) {
                return true;
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
