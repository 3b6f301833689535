package dev.kelp.crds;

import dev.kelp.crds.v1alpha1.BackupSchedule;
import dev.kelp.crds.v1alpha1.StoragePolicy;
import dev.kelp.crds.v1alpha1.TierRule;
import io.fabric8.kubernetes.client.CustomResource;
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

    /** The kinds of the kelp.dev API, in the order their CRDs should be applied. */
    public static final List<Class<? extends CustomResource<?, ?>>> KINDS =
        List.of(StoragePolicy.class, TierRule.class, BackupSchedule.class);

    /** Where the build puts the generated CRD files, under {@code META-INF/fabric8/}. */
    public static final String DIRECTORY = "META-INF/fabric8/";

    /** The CRD files the build generates, one per kind, in the order they should be applied. */
    public static final List<String> RESOURCES = KINDS.stream().map(kind -> DIRECTORY + fileName(kind)).toList();

    private PrintCrds() {
    }

    public static void main(String[] args) {
        System.out.print(allCrdsYaml());
    }

    public static String allCrdsYaml() {
        var out = new StringBuilder();
        for (String resource : RESOURCES) {
            if (!out.isEmpty()) {
                out.append("---\n");
            }
            out.append(read(resource));
        }
        return out.toString();
    }

    /** The generator's file name for a kind's CRD: {@code <plural>.<group>-v1.yml}. */
    public static String fileName(Class<? extends CustomResource<?, ?>> kind) {
        return CustomResource.getCRDName(kind) + "-v1.yml";
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
