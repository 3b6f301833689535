package dev.kelp.bench.dedup;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Snapshots of a git repository's tree at commits spread evenly over its history, each file
 * under {@code snap-<i>/<path>}: what a nightly backup-by-copy of a source tree, or a CI job
 * that uploads its checkout as an artifact, writes. Read with the git CLI ({@code ls-tree} for
 * the trees, one {@code cat-file --batch} for the contents), so it needs no network.
 */
final class GitSnapshots {

    /** One file of a snapshot's tree: its path, its git mode (100644, 100755, 120000) and its blob id. */
    record Entry(String path, String mode, String blob) {
    }

    /** A snapshot: the commit, its committer time (epoch seconds) and its files in tree order. */
    record Snapshot(String commit, long time, List<Entry> files) {
    }

    /**
     * The trees of {@code snapshots} commits spread evenly over the history (first and last
     * included), and the content of every blob they name.
     */
    record History(int commitsInHistory, List<Snapshot> snapshots, Map<String, byte[]> contents) {
    }

    private GitSnapshots() {
    }

    static DataSet of(Path repository, int snapshots) throws IOException, InterruptedException {
        History history = read(repository, snapshots);
        List<List<DataSet.Item>> rounds = new ArrayList<>();
        for (int i = 0; i < history.snapshots().size(); i++) {
            List<DataSet.Item> round = new ArrayList<>();
            for (Entry e : history.snapshots().get(i).files()) {
                round.add(new DataSet.Item("snap-" + i + "/" + e.path(), e.blob()));
            }
            rounds.add(round);
        }
        var picked = history.snapshots();
        String description = "`git ls-tree` + `git cat-file` of this repository at %d commits spread evenly over its %d (first %s, last %s), each snapshot's files under `snap-<i>/<path>`"
            .formatted(picked.size(), history.commitsInHistory(), picked.getFirst().commit().substring(0, 7), picked.getLast().commit().substring(0, 7));
        return new DataSet("git", description, rounds, history.contents());
    }

    static History read(Path repository, int snapshots) throws IOException, InterruptedException {
        List<String> commits = run(repository, "git", "log", "--format=%H %ct", "--reverse", "--date-order", "HEAD").lines().toList();
        if (commits.isEmpty()) {
            throw new IllegalStateException("no commits in " + repository);
        }
        int n = Math.min(snapshots, commits.size());
        Map<String, Long> sizes = new LinkedHashMap<>();
        List<Snapshot> picked = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            // First and last commit included, the rest evenly between them.
            String[] line = commits.get(n == 1 ? commits.size() - 1 : (int) Math.round((double) i * (commits.size() - 1) / (n - 1))).split(" ");
            String commit = line[0];
            List<Entry> files = new ArrayList<>();
            for (String entry : run(repository, "git", "ls-tree", "-r", "-l", "-z", commit).split("\0")) {
                if (entry.isEmpty()) {
                    continue;
                }
                // <mode> SP <type> SP <object> SP+ <size> TAB <path>; submodules (type commit) have no content here.
                int tab = entry.indexOf('\t');
                String[] head = entry.substring(0, tab).trim().split("\\s+");
                if (!head[1].equals("blob")) {
                    continue;
                }
                files.add(new Entry(entry.substring(tab + 1), head[0], head[2]));
                sizes.put(head[2], Long.parseLong(head[3]));
            }
            picked.add(new Snapshot(commit, Long.parseLong(line[1]), files));
        }
        return new History(commits.size(), picked, readBlobs(repository, sizes));
    }

    /** Every blob's bytes, through one {@code git cat-file --batch}. */
    private static Map<String, byte[]> readBlobs(Path repository, Map<String, Long> sizes) throws IOException, InterruptedException {
        Process git = new ProcessBuilder("git", "-C", repository.toString(), "cat-file", "--batch")
            .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Thread.ofPlatform().daemon().start(() -> {
            try (OutputStream in = git.getOutputStream()) {
                for (String id : sizes.keySet()) {
                    in.write((id + "\n").getBytes(StandardCharsets.US_ASCII));
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        Map<String, byte[]> contents = new LinkedHashMap<>();
        try (InputStream out = new BufferedInputStream(git.getInputStream(), 1 << 16)) {
            for (String id : sizes.keySet()) {
                String header = readLine(out);
                String[] f = header.split(" ");
                if (f.length != 3 || !f[0].equals(id)) {
                    throw new IllegalStateException("git cat-file answered '" + header + "' for " + id);
                }
                byte[] body = out.readNBytes(Integer.parseInt(f[2]));
                out.read(); // the newline after each object
                contents.put(id, body);
            }
        }
        if (git.waitFor() != 0) {
            throw new IllegalStateException("git cat-file exited with " + git.exitValue());
        }
        return contents;
    }

    private static String readLine(InputStream in) throws IOException {
        var line = new StringBuilder();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("git cat-file ended early");
            }
            line.append((char) b);
        }
        return line.toString();
    }

    static String run(Path repository, String... command) throws IOException, InterruptedException {
        return new String(runBytes(repository, command), StandardCharsets.UTF_8);
    }

    static byte[] runBytes(Path repository, String... command) throws IOException, InterruptedException {
        var args = new ArrayList<>(List.of(command));
        args.addAll(1, List.of("-C", repository.toString()));
        Process p = new ProcessBuilder(args).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", args) + " exited with " + p.exitValue());
        }
        return out;
    }
}
