package dev.kelp.agent.metadata;

import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/** {@link VersionsMigrationTest} on the proving ground's PostgreSQL, in a database of its own. */
class VersionsMigrationPostgresIT {

    @Test
    void existingVersionsGetIdsOfTheAgentsForm() throws Exception {
        TestDatabases postgres = TestDatabases.fromEnvironment();
        String url = postgres.create("migration");
        try {
            var dataSource = new PGSimpleDataSource();
            dataSource.setURL(url);
            dataSource.setUser(postgres.user());
            dataSource.setPassword(postgres.password());
            VersionsMigrationTest.migrateV1ThenV2(dataSource, "PostgreSQL");
        } finally {
            postgres.drop(url);
        }
    }
}
