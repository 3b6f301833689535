package dev.kelp.crds;

import dev.kelp.testkit.ProvingGround;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The files generated from the model that the repository also commits: the CRD YAML for
 * {@code kubectl apply -f crds/generated/}, the same YAML in the Helm chart's crds/ directory
 * (Helm installs CRDs from there), and the CRD reference page. {@link #main} refreshes them;
 * CommittedFilesTest fails while any differs from what the build generates.
 */
public final class CommittedFiles {

    static final String REFRESH_COMMAND = "mvn -o -pl crds process-test-classes -Pupdate-crds";

    /** Directories that hold exactly one committed CRD file per kind, relative to the repository root. */
    static final List<Path> CRD_DIRECTORIES = List.of(Path.of("crds/generated"), Path.of("helm/kelp/crds"));

    static final Path CRD_REFERENCE = Path.of("docs/crd-reference.md");

    private CommittedFiles() {
    }

    /** Each committed file, relative to the repository root, with the content it must have. */
    static Map<Path, String> expected() {
        var files = new LinkedHashMap<Path, String>();
        for (Path directory : CRD_DIRECTORIES) {
            for (var kind : PrintCrds.KINDS) {
                files.put(directory.resolve(PrintCrds.fileName(kind)), GeneratedCrds.yaml(kind));
            }
        }
        files.put(CRD_REFERENCE, CrdReference.render());
        return files;
    }

    /** Writes every committed copy afresh and removes CRD files no kind generates any more. */
    public static void main(String[] args) throws IOException {
        Path root = args.length > 0 ? Path.of(args[0]) : ProvingGround.repoRoot();
        Map<Path, String> files = expected();
        for (Path directory : CRD_DIRECTORIES) {
            Files.createDirectories(root.resolve(directory));
            for (Path stale : crdFilesIn(root.resolve(directory))) {
                if (!files.containsKey(root.relativize(stale))) {
                    Files.delete(stale);
                }
            }
        }
        for (var file : files.entrySet()) {
            Path target = root.resolve(file.getKey());
            Files.createDirectories(target.getParent());
            Files.writeString(target, file.getValue());
            System.out.println("wrote " + file.getKey());
        }
    }

    static List<Path> crdFilesIn(Path directory) {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".yml")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
