package dev.kelp.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The arguments of a harness that runs rounds of one cell against an agent build:
 * {@code <agent jar> <work dir> <bytes> <concurrency> <ops> <rounds>}, and what follows them.
 */
record CellArgs(Path jar, Path work, long size, int concurrency, int ops, int rounds, String[] rest) {

    /** The arguments, or a usage line and exit 2 when there are too few; the work dir is made. */
    static CellArgs parse(String harness, String[] args, String more) throws IOException {
        if (args.length < 6) {
            System.err.println("usage: " + harness + " <agent jar> <work dir> <bytes> <concurrency> <ops> <rounds>" + more);
            System.exit(2);
        }
        var parsed = new CellArgs(Path.of(args[0]), Path.of(args[1]), Long.parseLong(args[2]), Integer.parseInt(args[3]),
            Integer.parseInt(args[4]), Integer.parseInt(args[5]), java.util.Arrays.copyOfRange(args, 6, args.length));
        Files.createDirectories(parsed.work());
        return parsed;
    }
}
