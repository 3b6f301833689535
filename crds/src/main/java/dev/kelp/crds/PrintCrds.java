package dev.kelp.crds;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Prints the generated CustomResourceDefinitions as one YAML stream, so that
 * {@code java -jar kelp-crds.jar | kubectl apply -f -} installs the API without Helm.
 */
public final class PrintCrds {

    /** The CRD files the build generates, one per kind, in the order they should be applied. */
    public static final List<String> RESOURCES = List.of(
        "META-INF/fabric8/storagepolicies.kelp.dev-v1.yml");

    private PrintCrds() {
    }

    public static void main(String[] args) {
        System.out.print(allCrdsYaml());
    }

    public static String allCrdsYaml() {
        var out = new StringBuilder();
        for (String resource : RESOURCES) {
            out.append(read(resource));
        }
        return out.toString();
    }

    public static String read(String resource) {
        try (InputStream in = PrintCrds.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is not on the classpath: was the CRD generator run?");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
