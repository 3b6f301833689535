package dev.kelp.operator.walkthrough;

import dev.kelp.testkit.ProvingGround;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real {@code kubectl} of the proving ground, read the way a person reads it: the columns
 * of {@code kubectl get}, the text of {@code kubectl describe}.
 */
final class Kubectl {

    private final Path binary = Path.of(ProvingGround.require("KELP_KUBE_BIN"), "kubectl");

    /** What kubectl printed on stdout; a non-zero exit fails with its stderr. */
    String run(String... args) {
        var command = new ArrayList<String>();
        command.add(binary.toString());
        command.addAll(List.of(args));
        try {
            // stderr to a file: read after stdout, a full pipe would block kubectl.
            Path errors = java.nio.file.Files.createTempFile("kubectl", ".err");
            var builder = new ProcessBuilder(command).redirectError(errors.toFile());
            builder.environment().put("KUBECONFIG", ProvingGround.require("KUBECONFIG"));
            Process process = builder.start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            boolean exited = process.waitFor(60, TimeUnit.SECONDS);
            String error = java.nio.file.Files.readString(errors);
            java.nio.file.Files.delete(errors);
            if (!exited || process.exitValue() != 0) {
                throw new IllegalStateException("kubectl " + String.join(" ", args) + " failed: " + error + out);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * The rows of a {@code kubectl get} table, each keyed by its column header. Columns are cut
     * where the header puts them: kubectl left-aligns every cell under its header, and a cell
     * may be empty (a status field not set yet).
     */
    static List<Map<String, String>> table(String printed) {
        List<String> lines = printed.lines().filter(l -> !l.isBlank()).toList();
        if (lines.isEmpty()) {
            return List.of();
        }
        String header = lines.get(0);
        var starts = new ArrayList<Integer>();
        var names = new ArrayList<String>();
        var column = java.util.regex.Pattern.compile("\\S+(?: \\S+)*").matcher(header);
        while (column.find()) {
            starts.add(column.start());
            names.add(column.group());
        }
        var rows = new ArrayList<Map<String, String>>();
        for (String line : lines.subList(1, lines.size())) {
            var row = new LinkedHashMap<String, String>();
            for (int i = 0; i < starts.size(); i++) {
                int from = Math.min(starts.get(i), line.length());
                int to = i + 1 < starts.size() ? Math.min(starts.get(i + 1), line.length()) : line.length();
                row.put(names.get(i), line.substring(from, to).trim());
            }
            rows.add(row);
        }
        return rows;
    }

    /** {@code kubectl get sp <name> -n <namespace>}: one row. */
    Map<String, String> storagePolicy(String namespace, String name) {
        List<Map<String, String>> rows = table(run("get", "sp", name, "-n", namespace));
        if (rows.size() != 1) {
            throw new IllegalStateException("kubectl get sp " + name + " printed " + rows);
        }
        return rows.get(0);
    }
}
