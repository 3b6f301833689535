package dev.kelp.agent.provingground;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.testkit.ProvingGround;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/** The proving ground's PostgreSQL runs SQL through JDBC. */
class PostgresIT {

    static Connection connect() throws SQLException {
        return DriverManager.getConnection(ProvingGround.require("KELP_PG_URL"),
            ProvingGround.require("KELP_PG_USER"), ProvingGround.require("KELP_PG_PASSWORD"));
    }

    @Test
    void createsWritesAndReadsBackInATransaction() throws SQLException {
        try (Connection c = connect(); var st = c.createStatement()) {
            st.execute("CREATE TEMP TABLE probe (sha256 text PRIMARY KEY, size bigint NOT NULL)");
            c.setAutoCommit(false);
            try (var insert = c.prepareStatement("INSERT INTO probe VALUES (?, ?)")) {
                insert.setString(1, "e3b0c442");
                insert.setLong(2, 42L);
                insert.executeUpdate();
            }
            c.commit();
            try (var rs = st.executeQuery("SELECT size, version() FROM probe WHERE sha256 = 'e3b0c442'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getLong(1)).isEqualTo(42L);
                assertThat(rs.getString(2)).startsWith("PostgreSQL");
            }
        }
    }

    @Test
    void aUniqueViolationIsReportedAsSuch() throws SQLException {
        try (Connection c = connect(); var st = c.createStatement()) {
            st.execute("CREATE TEMP TABLE once (k text PRIMARY KEY)");
            st.execute("INSERT INTO once VALUES ('a')");
            var error = org.assertj.core.api.Assertions.catchThrowableOfType(SQLException.class,
                () -> st.execute("INSERT INTO once VALUES ('a')"));
            assertThat(error.getSQLState()).isEqualTo("23505");
        }
    }
}
