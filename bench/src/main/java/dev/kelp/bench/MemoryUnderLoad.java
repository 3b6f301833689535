package dev.kelp.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The agent's memory as a pod's memory limit sees it. The packaged agent runs with the sidecar's
 * JVM options under {@code -XX:MaxRAM=<limit>}, which is what the JVM reads from a container's
 * cgroup limit, plus Native Memory Tracking. It takes 4 KiB PUTs and then 1 MiB PUTs from 16
 * clients, with SeaweedFS and PostgreSQL configured. RSS is sampled every 100 ms throughout, and
 * NMT's summary is read after each phase. The point is whether RSS stays under the limit, and
 * whether native memory outside the heap stays flat as writes go on, which a leaked network
 * buffer per request does not (docs/benchmarks.md, "2026-12-02, later").
 *
 * <p>Arguments: {@code <agent jar> <work dir> [--limit 512m] [--small N] [--large N] [--jvm "<options>"]}.
 * The default options are the injected sidecar's ({@code AgentSidecar.COMMAND} in the operator).
 * Run it with scripts/bench-memory, which starts what it needs.
 */
public final class MemoryUnderLoad {

    /** The injected sidecar's JVM options: keep in step with AgentSidecar.COMMAND and agent/Dockerfile. */
    static final String SIDECAR_OPTIONS = "-XX:MaxRAMPercentage=40 -XX:+ExitOnOutOfMemoryError";

    private static final int CONCURRENCY = 16;
    private static final long KIB = 1024;
    private static final long MIB = 1024 * KIB;
    private static final Pattern NMT_LINE = Pattern.compile("^-?\\s*(Total|Java Heap|Other|Metaspace|Code|GC)[:\\s(]+reserved=\\d+KB, committed=(\\d+)KB");

    private final List<String> report = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: MemoryUnderLoad <agent jar> <work dir> [--limit 512m] [--small N] [--large N] [--jvm \"<options>\"]");
            System.exit(2);
        }
        String limit = option(args, "--limit", "512m");
        int small = Integer.parseInt(option(args, "--small", "20000"));
        int large = Integer.parseInt(option(args, "--large", "2000"));
        String jvm = option(args, "--jvm", SIDECAR_OPTIONS);
        new MemoryUnderLoad().run(Path.of(args[0]), Path.of(args[1]), limit, small, large, jvm);
    }

    private void run(Path jar, Path work, String limit, int small, int large, String jvm) throws Exception {
        Files.createDirectories(work);
        int port = Integer.parseInt(System.getenv().getOrDefault("KELP_BENCH_AGENT_PORT", "18780"));
        String bucket = "bench-memory-" + Long.toString(System.currentTimeMillis(), 36);
        Path config = AgentVsSeaweedFs.writeConfig(work, bucket, port, "");
        List<String> options = new ArrayList<>(List.of("-XX:MaxRAM=" + limit, "-XX:NativeMemoryTracking=summary"));
        options.addAll(List.of(jvm.trim().split("\\s+")));
        line("# The agent's memory under a %s limit (%s)", limit, Instant.now());
        line("");
        line("Agent JVM: `%s`; PUTs of unique bodies from %d java.net.http clients; SeaweedFS and PostgreSQL configured. "
            + "RSS is VmRSS from /proc, sampled every 100 ms; the rest is Native Memory Tracking's committed figures.", String.join(" ", options),
            CONCURRENCY);
        line("");
        line("| after | PUTs/s | RSS now | RSS peak | heap | metaspace | code | GC | Other (Unsafe, direct buffers) | NMT total |");
        line("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        long limitBytes = parseSize(limit);
        long peak;
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
             var agent = new AgentUnderTest(jar, config, port, work.resolve("agent.log"), options)) {
            Put target = (key, size, seed) -> put(http, agent.base + "/v1/objects/" + bucket + "/" + key, size, seed);
            Thread.sleep(2_000);
            row("start (idle)", 0, agent, agent.rssBytes());
            peak = agent.takePeakRss();
            peak = Math.max(peak, phase("%,d × 4 KiB".formatted(small), target, agent, small, 4 * KIB, 1));
            peak = Math.max(peak, phase("%,d × 1 MiB".formatted(large), target, agent, large, MIB, 2));
            peak = Math.max(peak, phase("%,d × 4 KiB more".formatted(small), target, agent, small, 4 * KIB, 3));
        }
        line("");
        line("Highest RSS %s against the %s limit: %s.", mib(peak), limit, peak <= limitBytes ? "under it" : "**over it**");
        Files.write(work.resolve("report.md"), report, StandardCharsets.UTF_8);
    }

    private interface Put {
        void run(String key, long size, long seed) throws Exception;
    }

    /**
     * One PUT as java.net.http sends it: a small request's headers and body in one write, as most
     * apps' clients send them. (The Apache client the other harnesses use sends the body apart,
     * and the server then streams it in pieces: that path never leaked.)
     */
    private static void put(HttpClient http, String url, long size, long seed) throws Exception {
        byte[] body;
        try (var in = new UniqueBody(size, seed).newStream()) {
            body = in.readAllBytes();
        }
        var response = http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/octet-stream")
            .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() != 201) {
            throw new IOException("PUT " + url + ": HTTP " + response.statusCode());
        }
    }

    private long phase(String name, Put target, AgentUnderTest agent, int ops, long size, int round) throws Exception {
        Stats stats = CellRunner.run(ops, CONCURRENCY, size, i -> target.run("m" + round + "-" + i, size, round * 1_000_000_007L + i));
        double perSecond = ops / (stats.wallNanos() / 1e9);
        long peak = agent.takePeakRss();
        row(name, perSecond, agent, peak);
        return peak;
    }

    private void row(String name, double perSecond, AgentUnderTest agent, long peak) throws Exception {
        var nmt = nativeMemory(agent.pid());
        line("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |", name, perSecond == 0 ? "" : String.format(Locale.ROOT, "%.0f", perSecond),
            mib(agent.rssBytes()), mib(peak), committed(nmt, "Java Heap"), committed(nmt, "Metaspace"), committed(nmt, "Code"), committed(nmt, "GC"),
            committed(nmt, "Other"), committed(nmt, "Total"));
    }

    /** NMT's committed KiB by category, from {@code jcmd <pid> VM.native_memory summary}. */
    private static Map<String, Long> nativeMemory(long pid) throws Exception {
        Path jcmd = Path.of(AgentUnderTest.java()).resolveSibling("jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "VM.native_memory", "summary").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("jcmd failed: " + out);
        }
        var found = new HashMap<String, Long>();
        for (String l : out.split("\n")) {
            Matcher m = NMT_LINE.matcher(l);
            if (m.find()) {
                found.putIfAbsent(m.group(1), Long.parseLong(m.group(2)));
            }
        }
        return found;
    }

    private static String committed(Map<String, Long> nmt, String category) {
        Long value = nmt.get(category);
        return value == null ? "?" : mib(value * KIB);
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.0f MiB", bytes / (double) MIB);
    }

    private static long parseSize(String size) {
        String s = size.toLowerCase(Locale.ROOT);
        long unit = s.endsWith("g") ? 1024 * MIB : s.endsWith("m") ? MIB : s.endsWith("k") ? KIB : 1;
        return Long.parseLong(unit == 1 ? s : s.substring(0, s.length() - 1)) * unit;
    }

    private static String option(String[] args, String name, String fallback) {
        for (int i = 2; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }

    private void line(String format, Object... args) {
        String text = String.format(Locale.ROOT, format, args);
        report.add(text);
        System.out.println(text);
    }
}
