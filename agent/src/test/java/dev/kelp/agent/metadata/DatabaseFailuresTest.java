package dev.kelp.agent.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import io.micronaut.data.connection.exceptions.ConnectionException;
import io.micronaut.data.connection.exceptions.NoConnectionException;
import io.micronaut.data.exceptions.DataAccessException;
import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;

class DatabaseFailuresTest {

    static SQLException state(String sqlState) {
        return new SQLException("boom", sqlState);
    }

    @Test
    void connectionFailuresAnywhereInTheChainMeanUnavailable() {
        assertThat(DatabaseFailures.isUnavailable(new DataAccessException("x", state("08001")))).as("connection refused").isTrue();
        assertThat(DatabaseFailures.isUnavailable(new DataAccessException("x", state("08006")))).as("I/O error").isTrue();
        assertThat(DatabaseFailures.isUnavailable(state("57P01"))).as("administrator shutdown").isTrue();
        assertThat(DatabaseFailures.isUnavailable(state("57P03"))).as("cannot connect now").isTrue();
        assertThat(DatabaseFailures.isUnavailable(new ConnectionException("Failed to obtain JDBC Connection",
            new SQLTransientConnectionException("HikariPool-1 - Connection is not available, request timed out after 1000ms"))))
            .as("pool timeout").isTrue();
        assertThat(DatabaseFailures.isUnavailable(new RuntimeException(new ConnectException("Connection refused")))).isTrue();
    }

    @Test
    void aConnectionThePoolClosedAfterAFatalErrorMeansUnavailable() {
        var cleanup = new ConnectionException("Could not set JDBC Connection read-only: Connection is closed",
            new SQLException("Connection is closed"));
        assertThat(DatabaseFailures.isUnavailable(cleanup)).isTrue();

        var hidden = new IllegalStateException("rollback failed");
        hidden.addSuppressed(state("08006"));
        assertThat(DatabaseFailures.isUnavailable(hidden)).as("the first error kept as suppressed").isTrue();
    }

    @Test
    void bugsAndBadDataAreNotOutages() {
        assertThat(DatabaseFailures.isUnavailable(new DataAccessException("x", state("42P01")))).as("no such table").isFalse();
        assertThat(DatabaseFailures.isUnavailable(new DataAccessException("x", state("23505")))).isFalse();
        assertThat(DatabaseFailures.isUnavailable(new NoConnectionException())).as("a missing @Transactional").isFalse();
        assertThat(DatabaseFailures.isUnavailable(new IllegalArgumentException("bad"))).isFalse();
    }

    @Test
    void aPoolTimeoutWithoutAFailureToConnectIsABusyPoolNotAnOutage() {
        var busy = new ConnectionException("Failed to obtain JDBC Connection", new SQLTransientConnectionException(
            "HikariPool-1 - Connection is not available, request timed out after 1000ms (total=10, active=10, idle=0, waiting=6)"));
        assertThat(DatabaseFailures.isPoolBusy(busy)).isTrue();

        var down = new ConnectionException("Failed to obtain JDBC Connection", new SQLTransientConnectionException(
            "HikariPool-1 - Connection is not available, request timed out after 1000ms", state("08001")));
        assertThat(DatabaseFailures.isPoolBusy(down)).as("Hikari names the last failure to connect as the cause").isFalse();
        assertThat(DatabaseFailures.isUnavailable(down)).isTrue();
        assertThat(DatabaseFailures.isPoolBusy(state("08006"))).isFalse();
        assertThat(DatabaseFailures.isPoolBusy(new SQLTransientConnectionException(
            "HikariPool-1 - Connection is not available, request timed out after 1000ms (total=0, active=0, idle=0, waiting=0)")))
            .as("no connection open yet: not busy, still connecting").isFalse();
    }

    @Test
    void lostRacesAreRetried() {
        assertThat(DatabaseFailures.isRetryable(new DataAccessException("x", state("40001")))).isTrue();
        assertThat(DatabaseFailures.isRetryable(new DataAccessException("x", state("40P01")))).isTrue();
        assertThat(DatabaseFailures.isRetryable(new DataAccessException("x", state("23505")))).isTrue();
        assertThat(DatabaseFailures.isRetryable(new SQLException("Timeout trying to lock table", "HYT00", 50200))).isTrue();
        assertThat(DatabaseFailures.isRetryable(new DataAccessException("x", state("42601")))).as("syntax error").isFalse();
        assertThat(DatabaseFailures.isRetryable(state("08006"))).isFalse();
    }

    @Test
    void theReasonIsTheDeepestMessage() {
        var error = new DataAccessException("outer", new SQLException("middle", "08001", new ConnectException("Connection refused")));
        assertThat(DatabaseFailures.rootMessage(error)).isEqualTo("ConnectException: Connection refused");
    }
}
