package dev.kelp.crds;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * A YAML file under src/test/resources/valid or /invalid. An invalid one says in
 * {@code # expect: <field>: <words>} comments what the API server must reject it for.
 */
record Fixture(String name, String yaml) {

    private static final String EXPECT = "# expect: ";
    private static final KubernetesSerialization YAML = new KubernetesSerialization();

    /** The field the API server must name, and words its message must contain. */
    record Expectation(String field, String message) {
    }

    static List<Fixture> in(String directory) {
        try (Stream<Path> files = Files.list(Path.of(Fixture.class.getClassLoader().getResource(directory).toURI()))) {
            return files.filter(f -> f.toString().endsWith(".yaml")).sorted()
                .map(f -> new Fixture(directory + "/" + f.getFileName(), read(f)))
                .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    List<Expectation> expectations() {
        return yaml.lines().filter(l -> l.startsWith(EXPECT)).map(l -> {
            String expectation = l.substring(EXPECT.length());
            int colon = expectation.indexOf(": ");
            return new Expectation(expectation.substring(0, colon), expectation.substring(colon + 2));
        }).toList();
    }

    GenericKubernetesResource resource() {
        return YAML.unmarshal(yaml, GenericKubernetesResource.class);
    }

    @Override
    public String toString() {
        return name;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
