package dev.kelp.agent.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.agent.versions.VersionIds;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

/**
 * V2__versions.sql on a schema at V1 with objects in it (an agent upgraded in place): every
 * existing version gets an id of the agent's form, unique and older than any new one, and stays
 * current and content-bearing. On H2 here; {@link VersionsMigrationPostgresIT} on PostgreSQL.
 */
class VersionsMigrationTest {

    static void migrateV1ThenV2(javax.sql.DataSource dataSource, String product) throws Exception {
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration")
            .placeholders(Map.of("key_collation", MetadataDatabase.keyCollation(product))).target("1").load().migrate();
        try (Connection c = dataSource.getConnection(); var st = c.createStatement()) {
            for (int i = 1; i <= 3; i++) {
                st.execute("INSERT INTO object_versions (bucket, object_key, hash, size, content_type, user_metadata, created_at)"
                    + " VALUES ('old', 'k" + i + "', '" + "a".repeat(64) + "', 5, 'text/plain', '{}', CURRENT_TIMESTAMP)");
            }
            st.execute("INSERT INTO objects (bucket, object_key, version_id) SELECT bucket, object_key, id FROM object_versions");
        }
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration")
            .placeholders(Map.of("key_collation", MetadataDatabase.keyCollation(product))).load().migrate();

        List<String> ids = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); var st = c.createStatement();
             var rs = st.executeQuery("SELECT version, delete_marker, replaced_at FROM object_versions ORDER BY id")) {
            while (rs.next()) {
                ids.add(rs.getString(1));
                assertThat(rs.getBoolean(2)).isFalse();
                assertThat(rs.getObject(3)).isNull();
            }
        }
        assertThat(ids).hasSize(3).doesNotHaveDuplicates().allSatisfy(id -> assertThat(VersionIds.isValid(id)).as(id).isTrue());
        assertThat(ids).isSorted().allSatisfy(id -> assertThat(id).isLessThan(VersionIds.next()));
    }

    @Test
    void existingVersionsGetIdsOfTheAgentsForm() throws Exception {
        var h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:migration-" + System.nanoTime() + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1");
        h2.setUser("sa");
        migrateV1ThenV2(h2, "H2");
        try (Connection c = DriverManager.getConnection(h2.getURL(), "sa", "")) {
            assertThat(c.getMetaData().getDatabaseProductName()).isEqualTo("H2");
        }
    }
}
