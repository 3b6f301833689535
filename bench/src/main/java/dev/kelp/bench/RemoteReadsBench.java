package dev.kelp.bench;

import java.util.List;
import java.util.Locale;

/**
 * GETs the agent serves from SeaweedFS, against the same GETs sent to SeaweedFS direct: rounds
 * of one GET cell, each read the first one of its object (written, untimed, just before), with
 * the agent's caches off, so every agent read goes to SeaweedFS. The same client shape as
 * {@link AgentVsSeaweedFs}; the agent is any jar, so two builds can be run one after the other
 * on the same proving ground (an A/B of a change).
 *
 * <p>Arguments: {@code <agent jar> <work dir> <bytes> <concurrency> <ops> <rounds>}.
 */
public final class RemoteReadsBench {

    private static final int PORT = 18790;
    /** The agent's read caches off: the small-object cache and the disk cache would answer instead of SeaweedFS. */
    private static final String NO_CACHES = """
          cache:
            small-object-max-bytes: 0
            disk:
              max-bytes: 0
        """;

    private RemoteReadsBench() {
    }

    public static void main(String[] args) throws Exception {
        var cell = CellArgs.parse("RemoteReadsBench", args, "");
        long size = cell.size();
        int concurrency = cell.concurrency();
        int ops = cell.ops();
        try (var sides = TwoSides.start("reads", cell.jar(), cell.work(), PORT, NO_CACHES)) {
            var direct = sides.direct();
            var viaAgent = sides.viaAgent();
            for (Target side : List.of(direct, viaAgent)) {
                CellRunner.run(1000, 4, 4096, i -> side.executePut("warmup/" + i, 4096, -1L - i));
                CellRunner.run(1000, 4, 4096, i -> side.executeGet("warmup/" + i));
            }
            for (int round = 0; round < cell.rounds(); round++) {
                String prefix = "r" + round + "/";
                long seeds = 1_000_000L * (round + 1);
                Stats[] stats = new Stats[2];
                int s = 0;
                for (Target side : List.of(direct, viaAgent)) {
                    CellRunner.run(ops, concurrency, size, i -> side.executePut(prefix + i, size, seeds + i));
                    stats[s++] = CellRunner.run(ops, concurrency, size, i -> side.executeGet(prefix + i));
                }
                System.out.printf(Locale.ROOT,
                    "round %d, GET %d bytes, concurrency %d: SeaweedFS %.1f MiB/s p50 %.2f p99 %.2f ms | agent %.1f MiB/s p50 %.2f p99 %.2f ms"
                        + " | ratio %.2f, added p50 %+.2f p99 %+.2f ms%n",
                    round, size, concurrency, stats[0].mibPerSecond(), stats[0].percentileMillis(50), stats[0].percentileMillis(99),
                    stats[1].mibPerSecond(), stats[1].percentileMillis(50), stats[1].percentileMillis(99),
                    stats[1].mibPerSecond() / stats[0].mibPerSecond(),
                    stats[1].percentileMillis(50) - stats[0].percentileMillis(50), stats[1].percentileMillis(99) - stats[0].percentileMillis(99));
            }
        }
    }
}
