package dev.kelp.crds;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Puts the printer columns of the generated CRDs back in the order the resource classes
 * declare them. The fabric8 generator sorts columns by JSON path, which would make AGE
 * ({@code .metadata.creationTimestamp}) the first column of {@code kubectl get} and MODE a
 * later one. The build runs this right after the generator (see crds/pom.xml).
 */
public final class PrinterColumnOrder {

    static final String HEADER = "# Generated from the dev.kelp.crds.v1alpha1 classes by the fabric8 CRD generator at build time."
        + " Do not edit: change the classes, then run mvn -pl crds process-test-classes -Pupdate-crds\n";

    private static final String DOCUMENT_START = "---\n";
    private static final KubernetesSerialization YAML = new KubernetesSerialization();

    private PrinterColumnOrder() {
    }

    /** {@code args[0]}: the directory the generator wrote the CRD files to. */
    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        for (var kind : PrintCrds.KINDS) {
            rewrite(dir.resolve(PrintCrds.fileName(kind)), kind);
        }
    }

    static void rewrite(Path file, Class<? extends CustomResource<?, ?>> kind) {
        try {
            var crd = YAML.unmarshal(Files.readString(file), CustomResourceDefinition.class);
            for (var version : crd.getSpec().getVersions()) {
                version.setAdditionalPrinterColumns(inDeclaredOrder(version.getAdditionalPrinterColumns(), kind));
            }
            String yaml = YAML.asYaml(crd);
            Files.writeString(file, HEADER + (yaml.startsWith(DOCUMENT_START) ? yaml.substring(DOCUMENT_START.length()) : yaml));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reorder the printer columns of " + file, e);
        }
    }

    static List<CustomResourceColumnDefinition> inDeclaredOrder(List<CustomResourceColumnDefinition> columns,
            Class<?> kind) {
        List<String> declared = Arrays.stream(kind.getAnnotationsByType(AdditionalPrinterColumn.class))
            .map(AdditionalPrinterColumn::jsonPath)
            .toList();
        Comparator<CustomResourceColumnDefinition> byDeclaration = Comparator.comparingInt(column -> {
            int index = declared.indexOf(column.getJsonPath());
            return index < 0 ? declared.size() : index;
        });
        return columns.stream().sorted(byDeclaration).toList();
    }
}
