package dev.kelp.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where an agent PUT's time goes: rounds of one PUT cell against SeaweedFS direct and then the
 * agent, the same client shape as {@link AgentVsSeaweedFs}, each agent cell followed by the mean
 * of every step the agent timed it in ({@code kelp_write_step_seconds}, docs/runbook.md). The agent under test is any jar, so two builds can be run one
 * after the other on the same proving ground (an A/B of a change).
 *
 * <p>Arguments: {@code <agent jar> <work dir> <bytes> <concurrency> <ops> <rounds> [yaml]}, where
 * {@code yaml} (with {@code \n} for newlines) is added to the agent's configuration at the top
 * level, e.g. {@code datasources:\n  default:\n    maximum-pool-size: 20\n}.
 */
public final class WriteStepsBench {

    private static final Pattern SERIES = Pattern.compile(
        "^kelp_write_step_seconds_(sum|count|bucket)\\{([^}]*)\\} ([0-9.eE+-]+)$", Pattern.MULTILINE);
    private static final Pattern STEP = Pattern.compile("step=\"([^\"]+)\"");
    private static final Pattern LE = Pattern.compile("le=\"([^\"]+)\"");
    /** Bucket bounds (seconds) of kelp.write.step whose share above them the report gives: where the tail is. */
    private static final List<Double> TAIL_BOUNDS = List.of(0.005, 0.01);
    private static final int PORT = 18780;

    private WriteStepsBench() {
    }

    public static void main(String[] args) throws Exception {
        var cell = CellArgs.parse("WriteStepsBench", args, " [yaml]");
        long size = cell.size();
        int concurrency = cell.concurrency();
        int ops = cell.ops();
        String yaml = cell.rest().length > 0 ? cell.rest()[0].replace("\\n", "\n") : "";
        try (var sides = TwoSides.start("steps", cell.jar(), cell.work(), PORT, yaml)) {
            var direct = sides.direct();
            var viaAgent = sides.viaAgent();
            var agent = sides.agent();
            for (Target side : List.of(direct, viaAgent)) {
                CellRunner.run(1000, 4, 4096, i -> side.executePut("warmup/" + i, 4096, -1L - i));
                CellRunner.run(100, 4, 1 << 20, i -> side.executePut("warmup-mib/" + i, 1 << 20, -100_000L - i));
            }
            HttpClient metrics = HttpClient.newHttpClient();
            for (int round = 0; round < cell.rounds(); round++) {
                String prefix = "r" + round + "/";
                long seeds = 1_000_000L * (round + 1);
                Stats seaweed = CellRunner.run(ops, concurrency, size, i -> direct.executePut(prefix + i, size, seeds + i));
                Map<String, double[]> before = steps(metrics, agent.base);
                Stats kelp = CellRunner.run(ops, concurrency, size, i -> viaAgent.executePut(prefix + i, size, seeds + i));
                System.out.print(report(round, size, concurrency, seaweed, kelp, before, steps(metrics, agent.base)));
            }
        }
    }

    private static String report(int round, long size, int concurrency, Stats seaweed, Stats kelp,
                                 Map<String, double[]> before, Map<String, double[]> after) {
        var out = new StringBuilder(String.format(Locale.ROOT,
            "round %d, %d bytes, concurrency %d: SeaweedFS %.1f MiB/s p50 %.2f p99 %.2f ms | agent %.1f MiB/s p50 %.2f p99 %.2f ms | ratio %.2f%n",
            round, size, concurrency, seaweed.mibPerSecond(), seaweed.percentileMillis(50), seaweed.percentileMillis(99),
            kelp.mibPerSecond(), kelp.percentileMillis(50), kelp.percentileMillis(99), kelp.mibPerSecond() / seaweed.mibPerSecond()));
        after.forEach((name, totals) -> {
            double[] from = before.getOrDefault(name, new double[2 + TAIL_BOUNDS.size()]);
            double count = totals[1] - from[1];
            if (count > 0) {
                out.append(String.format(Locale.ROOT, "    %-22s mean %8.2f ms over %.0f", name, (totals[0] - from[0]) / count * 1000, count));
                for (int i = 0; i < TAIL_BOUNDS.size(); i++) {
                    double over = count - (totals[2 + i] - from[2 + i]);
                    out.append(String.format(Locale.ROOT, "; %5.2f%% over %.0f ms", 100 * over / count, TAIL_BOUNDS.get(i) * 1000));
                }
                out.append(System.lineSeparator());
            }
        });
        return out.toString();
    }

    /** Sum, count and the counts up to each of {@link #TAIL_BOUNDS} of each write step, as /prometheus has them now. */
    private static Map<String, double[]> steps(HttpClient http, String base) throws Exception {
        String body = http.send(HttpRequest.newBuilder(URI.create(base + "/prometheus")).build(), HttpResponse.BodyHandlers.ofString()).body();
        Map<String, double[]> totals = new TreeMap<>();
        Matcher series = SERIES.matcher(body);
        while (series.find()) {
            Matcher step = STEP.matcher(series.group(2));
            String name = step.find() ? "step " + step.group(1) : "step ?";
            double[] totalsOfStep = totals.computeIfAbsent(name, k -> new double[2 + TAIL_BOUNDS.size()]);
            double value = Double.parseDouble(series.group(3));
            switch (series.group(1)) {
                case "sum" -> totalsOfStep[0] += value;
                case "count" -> totalsOfStep[1] += value;
                default -> {
                    Matcher le = LE.matcher(series.group(2));
                    // "+Inf" is no bound of the report's.
                    int bound = le.find() && !le.group(1).startsWith("+") ? TAIL_BOUNDS.indexOf(Double.parseDouble(le.group(1))) : -1;
                    if (bound >= 0) {
                        totalsOfStep[2 + bound] += value;
                    }
                }
            }
        }
        return totals;
    }
}
