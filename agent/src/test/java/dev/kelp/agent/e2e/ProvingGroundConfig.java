package dev.kelp.agent.e2e;

import dev.kelp.testkit.ProvingGround;
import java.nio.file.Path;
import java.util.List;

/**
 * Renders an agent configuration file (the contract the operator renders in a cluster) that
 * points at the proving ground's real SeaweedFS, PostgreSQL and Cassandra (events).
 */
final class ProvingGroundConfig {

    private ProvingGroundConfig() {
    }

    static String render(Path fallbackDir, List<String> buckets) {
        return """
            kelp:
              storage:
                buckets: [%s]
              fallback:
                dir: %s
              seaweedfs:
                endpoint: %s
                region: %s
                access-key: %s
                secret-key: %s
              metadata:
                url: %s
                username: %s
                password: %s
              events:
                cassandra:
                  contact-points: [%s]
                  local-datacenter: %s
            """.formatted(String.join(", ", buckets), fallbackDir,
            ProvingGround.require("KELP_S3_ENDPOINT"), ProvingGround.require("KELP_S3_REGION"),
            ProvingGround.require("KELP_S3_ACCESS_KEY"), ProvingGround.require("KELP_S3_SECRET_KEY"),
            ProvingGround.require("KELP_PG_URL"), ProvingGround.require("KELP_PG_USER"), ProvingGround.require("KELP_PG_PASSWORD"),
            ProvingGround.require("KELP_CASSANDRA_CONTACT_POINT"), ProvingGround.require("KELP_CASSANDRA_DATACENTER"));
    }
}
