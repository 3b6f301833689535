package dev.kelp.bench;

import java.util.Locale;

/**
 * The sync drain on its own, against direct uploads of the same bytes: each round kills
 * SeaweedFS, writes {@code ops} objects through the agent (to its fallback volume, untimed),
 * starts SeaweedFS again, and times two spans from the agent's {@code /v1/mode}: SeaweedFS
 * started to the agent back in FULL (recovery), and FULL to nothing pending (the drain). The
 * baseline is the same number of objects of the same size PUT to SeaweedFS direct at the
 * drain's concurrency, which does less than the drain (no read-back, no local release).
 *
 * <p>Arguments: {@code <agent jar> <work dir> <bytes> <writers> <ops> <rounds> [sync concurrency]};
 * writers only fill the fallback volume. SeaweedFS is stopped and started with
 * KELP_SEAWEEDFS_SCRIPT.
 */
public final class DrainBench {

    private static final int PORT = 18800;
    private static final long POLL_MILLIS = 5;

    private DrainBench() {
    }

    public static void main(String[] args) throws Exception {
        var cell = CellArgs.parse("DrainBench", args, " [sync concurrency]");
        int syncConcurrency = cell.rest().length > 0 ? Integer.parseInt(cell.rest()[0]) : 4;
        long size = cell.size();
        int ops = cell.ops();
        String yaml = "  sync:\n    concurrency: " + syncConcurrency + "\n";
        try (var sides = TwoSides.start("drain", cell.jar(), cell.work(), PORT, yaml)) {
            var direct = sides.direct();
            var viaAgent = sides.viaAgent();
            var agent = sides.agent();
            CellRunner.run(500, 4, 4096, i -> viaAgent.executePut("warmup/" + i, 4096, -1L - i));
            CellRunner.run(500, 4, 4096, i -> direct.executePut("warmup/" + i, 4096, -1L - i));
            for (int round = 0; round < cell.rounds(); round++) {
                String prefix = "r" + round + "/";
                long seeds = 1_000_000L * (round + 1);
                AgentVsSeaweedFs.seaweedfs("kill");
                CellRunner.run(ops, cell.concurrency(), size, i -> viaAgent.executePut(prefix + i, size, seeds + i));
                long[] queued = agent.pending();
                long started = System.nanoTime();
                AgentVsSeaweedFs.seaweedfs("start");
                long healthy = System.nanoTime();
                long full = awaitMode(agent, "\"FULL\"", started);
                while (agent.pending()[0] > 0) {
                    requireWithin(started, agent);
                    Thread.sleep(POLL_MILLIS);
                }
                long drained = System.nanoTime();
                Stats baseline = CellRunner.run(ops, syncConcurrency, size,
                    i -> direct.executePut(prefix + i, size, seeds + 500_000L + i));
                double drainSeconds = (drained - full) / 1e9;
                double drainMib = queued[1] / 1048576.0 / drainSeconds;
                System.out.printf(Locale.ROOT,
                    "round %d, %d objects of %d bytes queued (%d blobs, %.1f MiB), sync concurrency %d: SeaweedFS start to FULL %.2f s (healthy to FULL %.2f s);"
                        + " drain %.2f s, %.1f blobs/s, %.1f MiB/s | direct PUT at concurrency %d: %.1f objects/s, %.1f MiB/s | ratio %.2f%n",
                    round, ops, size, queued[0], queued[1] / 1048576.0, syncConcurrency, (full - started) / 1e9, (full - healthy) / 1e9,
                    drainSeconds, queued[0] / drainSeconds, drainMib, syncConcurrency,
                    baseline.opsPerSecond(), baseline.mibPerSecond(), drainMib / baseline.mibPerSecond());
            }
        }
    }

    /** When the agent's mode first reads {@code mode} (its JSON name, quoted). */
    private static long awaitMode(AgentUnderTest agent, String mode, long since) throws Exception {
        while (!agent.mode().contains("\"mode\":" + mode)) {
            requireWithin(since, agent);
            Thread.sleep(POLL_MILLIS);
        }
        return System.nanoTime();
    }

    private static void requireWithin(long since, AgentUnderTest agent) throws Exception {
        if (System.nanoTime() - since > 600_000_000_000L) {
            throw new IllegalStateException("no drain within 10 minutes: " + agent.mode());
        }
    }
}
