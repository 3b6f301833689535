package dev.kelp.bench.dedup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The artifacts of a Maven local repository that it holds in more than one version (every file
 * of those versions: jars, POMs, checksums), under {@code m2/<path>}: what a CI dependency cache
 * or a backup of an artifact repository writes, where consecutive versions of one library sit
 * side by side. Written once per CI build ({@code m2-build<i>/<path>}): each build uploads its
 * dependency cache again, mostly unchanged. Capped in bytes so the run stays short.
 */
final class MavenRepositorySubset {

    private MavenRepositorySubset() {
    }

    static DataSet of(Path repository, long maxBytes, int builds) throws IOException {
        List<Path> artifacts;
        try (Stream<Path> jars = Files.walk(repository)) {
            // <group path>/<artifactId>/<version>/<file>.jar: the artifact is two levels up.
            artifacts = jars.filter(p -> p.toString().endsWith(".jar") && Files.isRegularFile(p))
                .map(p -> p.getParent().getParent()).distinct().sorted().toList();
        }
        List<DataSet.Item> items = new ArrayList<>();
        Map<String, byte[]> contents = new LinkedHashMap<>();
        long bytes = 0;
        int kept = 0;
        for (Path artifact : artifacts) {
            List<Path> versions;
            try (Stream<Path> children = Files.list(artifact)) {
                versions = children.filter(v -> hasJar(v)).sorted().toList();
            }
            if (versions.size() < 2) {
                continue;
            }
            List<Path> files = new ArrayList<>();
            for (Path version : versions) {
                try (Stream<Path> f = Files.list(version)) {
                    f.filter(Files::isRegularFile).sorted().forEach(files::add);
                }
            }
            long size = 0;
            for (Path f : files) {
                size += Files.size(f);
            }
            if (bytes + size > maxBytes) {
                break;
            }
            bytes += size;
            kept++;
            for (Path f : files) {
                String path = repository.relativize(f).toString().replace('\\', '/');
                contents.put(path, Files.readAllBytes(f));
                items.add(new DataSet.Item(path, path));
            }
        }
        List<List<DataSet.Item>> rounds = new ArrayList<>();
        for (int b = 1; b <= builds; b++) {
            String prefix = "m2-build" + b + "/";
            rounds.add(items.stream().map(i -> new DataSet.Item(prefix + i.key(), i.contentId())).toList());
        }
        String description = ("the %d artifacts of `%s` held in two or more versions (every file of those versions, %d files), "
            + "in path order, capped at %d MiB, uploaded as the dependency cache of %d CI builds, one after the other, under `m2-build<i>/<path>`")
            .formatted(kept, repository, items.size(), maxBytes >> 20, builds);
        return new DataSet("m2", description, rounds, contents);
    }

    private static boolean hasJar(Path version) {
        if (!Files.isDirectory(version)) {
            return false;
        }
        try (Stream<Path> f = Files.list(version)) {
            return f.anyMatch(p -> p.toString().endsWith(".jar"));
        } catch (IOException e) {
            return false;
        }
    }
}
