package dev.kelp.agent.metadata;

import dev.kelp.testkit.ProvingGround;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.UUID;

/**
 * A database of its own on the proving ground's PostgreSQL for one test class, so that it
 * migrates from nothing and never meets another run's rows.
 */
record TestDatabases(String url, String user, String password) {

    static TestDatabases fromEnvironment() {
        return new TestDatabases(ProvingGround.require("KELP_PG_URL"), ProvingGround.require("KELP_PG_USER"),
            ProvingGround.require("KELP_PG_PASSWORD"));
    }

    /** Creates an empty database and returns its JDBC url. */
    String create(String purpose) throws SQLException {
        String name = "kelp_" + purpose + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = DriverManager.getConnection(url, user, password); var st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        }
        return url.replaceFirst("/[^/?]+(\\?|$)", "/" + name + "$1");
    }

    void drop(String databaseUrl) throws SQLException {
        String name = databaseUrl.replaceFirst("^.*/([^/?]+)(\\?.*)?$", "$1");
        try (Connection c = DriverManager.getConnection(url, user, password); var st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        }
    }
}
