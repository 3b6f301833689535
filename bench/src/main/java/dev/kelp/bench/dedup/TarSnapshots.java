package dev.kelp.bench.dedup;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Large similar files: an uncompressed tar of this repository's tree at each of a number of
 * commits spread over its history, one object per snapshot ({@code tar/snap-<i>.tar}), as a
 * nightly {@code tar -cf} backup of a working tree writes them. Two ways to make the tars:
 *
 * <ul>
 *   <li>{@code checkout} (the default): a ustar archive of the snapshot's files in tree order,
 *       written here, each file's mtime the time of the first snapshot since which it has been
 *       unchanged, as in a checkout that {@code git checkout} moves from snapshot to snapshot
 *       (it rewrites only the files that change). Directories are not archived.
 *   <li>{@code git-archive}: {@code git archive --format=tar <commit>}, which stamps every entry
 *       with the commit's time, so every 512-byte header differs from one snapshot to the next
 *       even where the file does not.
 * </ul>
 */
final class TarSnapshots {

    private static final int BLOCK = 512;
    private static final int RECORD = 20 * BLOCK; // GNU tar's default blocking factor

    private TarSnapshots() {
    }

    static DataSet of(Path repository, int snapshots, String how) throws IOException, InterruptedException {
        GitSnapshots.History history = GitSnapshots.read(repository, snapshots);
        Map<String, byte[]> contents = new LinkedHashMap<>();
        List<List<DataSet.Item>> rounds = new ArrayList<>();
        Map<String, String> previousBlob = new HashMap<>();
        Map<String, Long> unchangedSince = new HashMap<>();
        for (int i = 0; i < history.snapshots().size(); i++) {
            var snapshot = history.snapshots().get(i);
            byte[] tar;
            switch (how) {
                case "checkout" -> {
                    Map<String, String> blobs = new HashMap<>();
                    for (var e : snapshot.files()) {
                        if (!e.blob().equals(previousBlob.get(e.path()))) {
                            unchangedSince.put(e.path(), snapshot.time());
                        }
                        blobs.put(e.path(), e.blob());
                    }
                    previousBlob.clear();
                    previousBlob.putAll(blobs);
                    tar = tar(snapshot.files(), history.contents(), unchangedSince);
                }
                case "git-archive" -> tar = GitSnapshots.runBytes(repository, "git", "archive", "--format=tar", snapshot.commit());
                default -> throw new IllegalArgumentException("--tar-source is checkout or git-archive, not " + how);
            }
            String id = "tar-" + i;
            contents.put(id, tar);
            rounds.add(List.of(new DataSet.Item("tar/snap-" + i + ".tar", id)));
        }
        long smallest = contents.values().stream().mapToLong(b -> b.length).min().orElse(0);
        long largest = contents.values().stream().mapToLong(b -> b.length).max().orElse(0);
        var picked = history.snapshots();
        String description = ("an uncompressed tar of this repository's tree at %d commits spread evenly over its %d (first %s, last %s), one object per snapshot"
            + " (`tar/snap-<i>.tar`, %.2f to %.2f MiB), %s")
            .formatted(picked.size(), history.commitsInHistory(), picked.getFirst().commit().substring(0, 7), picked.getLast().commit().substring(0, 7),
                smallest / 1048576.0, largest / 1048576.0, how.equals("checkout")
                    ? "as `tar -cf` of a checkout moved from snapshot to snapshot would write it (ustar, files in tree order, a file's mtime changing only when its content does; written by the bench)"
                    : "from `git archive --format=tar <commit>` (every entry stamped with the commit's time)");
        return new DataSet("tar", description, rounds, contents);
    }

    /** A ustar archive of {@code files}, as GNU tar pads it: two zero blocks, then to a whole 10 KiB record. */
    static byte[] tar(List<GitSnapshots.Entry> files, Map<String, byte[]> contents, Map<String, Long> mtimes) {
        var out = new ByteArrayOutputStream();
        for (var e : files) {
            byte[] body = contents.get(e.blob());
            boolean link = e.mode().equals("120000");
            out.writeBytes(header(e.path(), link ? 0777 : Integer.parseInt(e.mode().substring(3), 8), link ? 0 : body.length,
                mtimes.getOrDefault(e.path(), 0L), link ? '2' : '0', link ? new String(body, StandardCharsets.UTF_8) : ""));
            if (!link) {
                out.writeBytes(body);
                out.write(new byte[(BLOCK - body.length % BLOCK) % BLOCK], 0, (BLOCK - body.length % BLOCK) % BLOCK);
            }
        }
        out.write(new byte[2 * BLOCK], 0, 2 * BLOCK);
        int pad = (RECORD - out.size() % RECORD) % RECORD;
        out.write(new byte[pad], 0, pad);
        return out.toByteArray();
    }

    static byte[] header(String path, int mode, long size, long mtime, char type, String linkTarget) {
        byte[] h = new byte[BLOCK];
        byte[] name = path.getBytes(StandardCharsets.UTF_8);
        String prefix = "";
        String rest = path;
        if (name.length > 100) {
            // ustar: the path split at a slash into prefix (up to 155 bytes) and name (up to 100).
            int cut = path.indexOf('/', Math.max(0, name.length - 101));
            if (cut < 0 || cut > 155) {
                throw new IllegalArgumentException("path too long for ustar: " + path);
            }
            prefix = path.substring(0, cut);
            rest = path.substring(cut + 1);
        }
        put(h, 0, 100, rest);
        put(h, 100, 8, octal(mode, 7));
        put(h, 108, 8, octal(1000, 7));
        put(h, 116, 8, octal(1000, 7));
        put(h, 124, 12, octal(size, 11));
        put(h, 136, 12, octal(mtime, 11));
        h[156] = (byte) type;
        put(h, 157, 100, linkTarget);
        put(h, 257, 6, "ustar");
        put(h, 263, 2, "00");
        put(h, 265, 32, "kelp");
        put(h, 297, 32, "kelp");
        put(h, 345, 155, prefix);
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        put(h, 148, 8, octal(sum, 6) + "\0 ");
        return h;
    }

    private static String octal(long value, int digits) {
        String s = Long.toOctalString(value);
        if (s.length() > digits) {
            throw new IllegalArgumentException(value + " does not fit " + digits + " octal digits");
        }
        return "0".repeat(digits - s.length()) + s;
    }

    private static void put(byte[] header, int offset, int length, String value) {
        byte[] b = value.getBytes(StandardCharsets.UTF_8);
        if (b.length > length) {
            throw new IllegalArgumentException("'" + value + "' is longer than " + length + " bytes");
        }
        System.arraycopy(b, 0, header, offset, b.length);
    }
}
