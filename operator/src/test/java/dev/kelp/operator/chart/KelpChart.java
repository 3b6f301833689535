package dev.kelp.operator.chart;

import dev.kelp.testkit.ProvingGround;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The chart under {@code helm/kelp} and the values files it is checked with. */
public final class KelpChart {

    /**
     * The Kubernetes version {@code helm template} and {@code lint} render for: Helm's offline
     * default (1.20) is older than the chart's kubeVersion, which needs webhook matchConditions.
     */
    static final String KUBE_VERSION = "1.34.0";

    public static Path dir() {
        return ProvingGround.repoRoot().resolve("helm/kelp");
    }

    /** The defaults (no file) and every {@code ci/*-values.yaml}, so a new example is checked without listing it here. */
    static List<ValuesFile> valuesFiles() {
        var files = new ArrayList<ValuesFile>();
        files.add(ValuesFile.DEFAULTS);
        try (Stream<Path> ci = Files.list(dir().resolve("ci"))) {
            ci.filter(p -> p.getFileName().toString().endsWith("-values.yaml")).sorted()
                .forEach(p -> files.add(new ValuesFile(p.getFileName().toString(), p)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    /** One way of configuring the chart; {@code path} is null for the defaults. */
    record ValuesFile(String name, Path path) {

        static final ValuesFile DEFAULTS = new ValuesFile("defaults", null);

        List<String> args() {
            return path == null ? List.of() : List.of("-f", path.toString());
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
