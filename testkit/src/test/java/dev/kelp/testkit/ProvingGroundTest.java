package dev.kelp.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ProvingGroundTest {

    @Test
    void blankVariablesCountAsMissing() {
        assertThat(ProvingGround.lookup("KELP_X", Map.of("KELP_X", "  "))).isEmpty();
        assertThat(ProvingGround.lookup("KELP_X", Map.of("KELP_X", "http://127.0.0.1:1"))).contains("http://127.0.0.1:1");
    }

    @Test
    void missingVariableSaysHowToStartTheProvingGround() {
        assertThatThrownBy(() -> ProvingGround.require("KELP_SURELY_UNSET_VARIABLE"))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("KELP_SURELY_UNSET_VARIABLE is not set")
            .hasMessageContaining("scripts/test");
    }

    @Test
    void servicesResolveToTheirScriptsFromAnyModuleDirectory() {
        var seaweed = ProvingGround.service("seaweedfs");
        assertThat(seaweed.script()).endsWith(java.nio.file.Path.of("scripts/proving-ground/seaweedfs.sh"));
        assertThat(ProvingGround.repoRoot().resolve("pom.xml")).exists();
    }

    @Test
    void exportLinesOfTheScriptsParseIntoCoordinates() {
        var env = ProvingGround.parseExports("export KELP_PG_URL=jdbc:postgresql://127.0.0.1:15432/kelp\nnoise\nexport KELP_PG_USER=kelp\n");
        assertThat(env).containsExactly(Map.entry("KELP_PG_URL", "jdbc:postgresql://127.0.0.1:15432/kelp"), Map.entry("KELP_PG_USER", "kelp"));
    }

    @Test
    void aServiceReportsTheCoordinatesOfTheInstanceItControls() {
        var env = ProvingGround.service("postgres").env();
        assertThat(env).containsKeys("KELP_PG_URL", "KELP_PG_USER", "KELP_PG_PASSWORD");
    }
}
