package dev.kelp.crds;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.crds.v1alpha1.StoragePolicy;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * spec.dedup was a boolean (default true) before it became an object. The API server refuses
 * the boolean now, but returns it as stored for policies written before, so the operator and
 * the webhook must still read those.
 */
class DedupSpecTest {

    private static final KubernetesSerialization YAML = new KubernetesSerialization();

    private static final String POLICY = """
        apiVersion: kelp.dev/v1alpha1
        kind: StoragePolicy
        metadata:
          name: cards
        spec:
          seaweedfs:
            endpoint: http://seaweedfs-s3.storage:8333
            credentialsSecret: seaweedfs-credentials
          buckets: [templates]
        """;

    @ParameterizedTest
    @ValueSource(strings = {"true", "false"})
    void aStoredBooleanReadsAsNoBlockLevelDedup(String stored) {
        var policy = YAML.unmarshal(POLICY + "  dedup: " + stored + "\n", StoragePolicy.class);

        assertThat(policy.getSpec().getDedup()).isNotNull();
        assertThat(policy.getSpec().getDedup().getBlocks()).isNull();
    }

    @Test
    void theObjectReadsWithItsBlocks() {
        var policy = YAML.unmarshal(POLICY + """
              dedup:
                blocks:
                  enabled: true
                  minObjectSize: 16Mi
                  averageChunkSize: 65536
            """, StoragePolicy.class);

        var blocks = policy.getSpec().getDedup().getBlocks();
        assertThat(blocks.getEnabled()).isTrue();
        assertThat(blocks.getMinObjectSize()).isEqualTo(new Quantity("16Mi"));
        assertThat(Quantity.getAmountInBytes(blocks.getAverageChunkSize()).longValueExact()).isEqualTo(65536);
    }
}
