package dev.kelp.agent.metadata;

import io.micronaut.jdbc.DataSourceResolver;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metadata database itself: brings its schema up to date, and says whether it answers.
 *
 * Migrations run here, on first use, rather than when the data source is created (what
 * {@code flyway.datasources.default.enabled} would do): that runs them during startup and
 * fails the whole agent when PostgreSQL is down, where the agent must start in LOCAL_ONLY and
 * migrate once the database is back.
 */
@Singleton
class MetadataDatabase {

    private static final Logger LOG = LoggerFactory.getLogger(MetadataDatabase.class);

    private final DataSource dataSource;
    private volatile boolean migrated;
    private volatile boolean postgres;

    MetadataDatabase(DataSource dataSource, DataSourceResolver resolver) {
        // The raw pool: Flyway manages its own connections and commits, outside our transactions.
        this.dataSource = resolver.resolve(dataSource);
    }

    /** Runs pending migrations once per process; cheap after the first success. */
    void ensureMigrated() {
        if (migrated) {
            return;
        }
        synchronized (this) {
            if (migrated) {
                return;
            }
            String product;
            String url;
            try (Connection c = dataSource.getConnection()) {
                product = c.getMetaData().getDatabaseProductName();
                url = c.getMetaData().getURL();
            } catch (SQLException e) {
                throw new MetadataUnavailableException("cannot connect to the metadata database: " + DatabaseFailures.rootMessage(e), e);
            }
            var result = Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .placeholders(Map.of("key_collation", keyCollation(product)))
                .load()
                .migrate();
            LOG.info("metadata schema at version {} on {} ({}; {} migration(s) applied)",
                result.targetSchemaVersion != null ? result.targetSchemaVersion : result.initialSchemaVersion,
                product, url, result.migrationsExecuted);
            postgres = "PostgreSQL".equals(product);
            migrated = true;
        }
    }

    /** Whether the database is PostgreSQL (else the embedded H2); known once migrated. */
    boolean isPostgres() {
        ensureMigrated();
        return postgres;
    }

    /**
     * A connection of the raw pool, outside any transaction of the repositories, for callers
     * that need one of their own (a lease, a consistent snapshot); migrated first.
     */
    Connection connect() throws SQLException {
        ensureMigrated();
        return dataSource.getConnection();
    }

    /** Throws when the database does not answer within the pool's connection timeout. */
    void ping() {
        ensureMigrated();
        try (Connection c = dataSource.getConnection(); var st = c.createStatement()) {
            st.execute("SELECT 1");
        } catch (SQLException e) {
            throw new MetadataUnavailableException("metadata database does not answer: " + DatabaseFailures.rootMessage(e), e);
        }
    }

    /** Byte order for keys on PostgreSQL whatever its locale (see V1__metadata.sql). */
    static String keyCollation(String databaseProduct) {
        return "PostgreSQL".equalsIgnoreCase(databaseProduct) ? " COLLATE \"C\"" : "";
    }
}
