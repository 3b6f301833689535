package dev.kelp.agent.provingground;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import dev.kelp.testkit.ProvingGround;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The proving ground's Cassandra runs CQL through java-driver-core. */
class CassandraIT {

    static CqlSession connect() {
        String[] hostPort = ProvingGround.require("KELP_CASSANDRA_CONTACT_POINT").split(":");
        return CqlSession.builder()
            .addContactPoint(new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1])))
            .withLocalDatacenter(ProvingGround.require("KELP_CASSANDRA_DATACENTER"))
            .build();
    }

    @Test
    void writesAndReadsARowWithATtl() {
        try (CqlSession cql = connect()) {
            cql.execute("CREATE KEYSPACE IF NOT EXISTS kelp_it WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
            cql.execute("CREATE TABLE IF NOT EXISTS kelp_it.probe (bucket text, id timeuuid, kind text, PRIMARY KEY (bucket, id))");
            UUID id = com.datastax.oss.driver.api.core.uuid.Uuids.timeBased();
            cql.execute(cql.prepare("INSERT INTO kelp_it.probe (bucket, id, kind) VALUES (?, ?, ?) USING TTL 3600")
                .bind("2026-11-24T10", id, "SAVE"));

            var row = cql.execute(cql.prepare("SELECT kind, TTL(kind) FROM kelp_it.probe WHERE bucket = ? AND id = ?")
                .bind("2026-11-24T10", id)).one();

            assertThat(row).isNotNull();
            assertThat(row.getString(0)).isEqualTo("SAVE");
            assertThat(Duration.ofSeconds(row.getInt(1))).isBetween(Duration.ofMinutes(59), Duration.ofHours(1));
            assertThat(cql.getMetadata().getNodes()).hasSize(1);
        }
    }
}
