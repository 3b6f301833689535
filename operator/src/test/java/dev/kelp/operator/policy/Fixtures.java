package dev.kelp.operator.policy;

import dev.kelp.testkit.ProvingGround;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;

/** The valid resources the crds module tests against the API server, reused as realistic input. */
final class Fixtures {

    private Fixtures() {
    }

    static <T> T valid(String name, Class<T> type) {
        try {
            var yaml = Files.readString(ProvingGround.repoRoot().resolve("crds/src/test/resources/valid/" + name + ".yaml"));
            return Serialization.unmarshal(yaml, type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
