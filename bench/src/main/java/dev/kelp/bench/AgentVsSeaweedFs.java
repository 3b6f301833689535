package dev.kelp.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * The agent against SeaweedFS's own S3 endpoint, in one run on one machine, one client shape:
 * PUT and GET at 4 KiB, 1 MiB and 64 MiB, concurrency 1 and 16; cached GETs; then the agent's
 * own figures: failover time, fallback write rate against a raw fsync'd write, drain rate
 * against direct upload, RSS idle, under load and during a 1 GiB upload, start-to-ready.
 * Then the cost of encryption at rest: a second agent with it on, PUT and GET at 1 MiB and
 * 64 MiB against the first (off), cell by cell. Then the disk cache: a third agent with it on,
 * GETs at 1 MiB and 64 MiB after a restart (misses) and again (hits), beside SeaweedFS and the
 * first agent. Prints a Markdown report. Run it with scripts/bench, which starts what it needs.
 *
 * <p>Arguments: {@code <agent jar> <work dir> [--quick] [--only-encryption] [--only-disk-cache]}
 * (the latter two run the warm-up and their table only). The agents' APIs listen on
 * KELP_BENCH_AGENT_PORT (default 18780), two and four above it, each with its S3 endpoint on
 * the port after its API's. The proving ground's coordinates come
 * from the environment (KELP_S3_*, KELP_PG_*), the SeaweedFS script from KELP_SEAWEEDFS_SCRIPT.
 */
public final class AgentVsSeaweedFs {

    private static final long KIB = 1024;
    private static final long MIB = 1024 * KIB;

    /** The key pair the agent's S3 endpoint is given for the run. */
    private static final String S3_KEY_ID = "AKIAKELPBENCH0000001";
    private static final String S3_SECRET = "kelp-bench-s3-secret-0123456789";

    private final List<String> report = new ArrayList<>();
    private final boolean quick;
    private final boolean onlyEncryption;
    private final boolean onlyDiskCache;
    private final int port = Integer.parseInt(System.getenv().getOrDefault("KELP_BENCH_AGENT_PORT", "18780"));

    private AgentVsSeaweedFs(boolean quick, boolean onlyEncryption, boolean onlyDiskCache) {
        this.quick = quick;
        this.onlyEncryption = onlyEncryption;
        this.onlyDiskCache = onlyDiskCache;
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: AgentVsSeaweedFs <agent jar> <work dir> [--quick] [--only-encryption] [--only-disk-cache]");
            System.exit(2);
        }
        var flags = List.of(args).subList(2, args.length);
        new AgentVsSeaweedFs(flags.contains("--quick"), flags.contains("--only-encryption"), flags.contains("--only-disk-cache")).run(Path.of(args[0]), Path.of(args[1]));
    }

    private void run(Path jar, Path work) throws Exception {
        Files.createDirectories(work);
        String stamp = Long.toString(System.currentTimeMillis(), 36);
        String directBucket = "bench-direct-" + stamp;
        String agentBucket = "bench-agent-" + stamp;
        try (var clients = DirectClients.fromEnvironment()) {
            SdkHttpClient http = clients.http();
            S3Client s3 = clients.s3();
            S3Presigner presigner = clients.presigner();
            URI endpoint = URI.create(env("KELP_S3_ENDPOINT"));
            Region region = Region.of(env("KELP_S3_REGION"));
            s3.createBucket(b -> b.bucket(directBucket));
            Path config = writeConfig(work, agentBucket, port, "");
            try (var agent = new AgentUnderTest(jar, config, port, work.resolve("agent.log"))) {
                Thread.sleep(2000);
                long idleRss = agent.rssBytes();
                var direct = new SeaweedFsTarget(http, presigner, directBucket);
                var viaAgent = new AgentTarget(http, agent.base, agentBucket);

                // Warm both sides up (JIT, connection pools, caches) so the table compares steady states.
                for (Target side : List.of(direct, viaAgent)) {
                    CellRunner.run(quick ? 300 : 1000, 4, 4 * KIB, i -> side.executePut("warmup/" + i, 4 * KIB, -1L - i));
                    CellRunner.run(quick ? 300 : 1000, 4, 4 * KIB, i -> side.executeGet("warmup/" + i));
                    CellRunner.run(quick ? 20 : 50, 4, MIB, i -> side.executePut("warmup-mib/" + i, MIB, -100_000L - i));
                }
                if (onlyEncryption || onlyDiskCache) {
                    if (onlyEncryption) {
                        encryptionCost(jar, work, http, viaAgent, stamp);
                    }
                    if (onlyDiskCache) {
                        diskCacheCost(jar, work, http, direct, viaAgent, stamp);
                    }
                    Files.write(work.resolve("report.md"), report);
                    return;
                }
                line("## Agent vs SeaweedFS S3, one client shape (%s)", Instant.now());
                line("");
                line("| op | size | conc | ops | SeaweedFS MiB/s | agent MiB/s | ratio | SeaweedFS p50 / p99 ms | agent p50 / p99 ms | added p50 / p99 ms |");
                line("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
                agent.takePeakRss();
                for (long size : new long[] {4 * KIB, MIB, 64 * MIB}) {
                    for (int concurrency : new int[] {1, 16}) {
                        int ops = ops(size, concurrency);
                        String prefix = "s" + size + "-c" + concurrency + "/";
                        compare("PUT", size, concurrency, ops,
                            CellRunner.run(ops, concurrency, size, i -> direct.executePut(prefix + i, size, seed(size, concurrency, i))),
                            CellRunner.run(ops, concurrency, size, i -> viaAgent.executePut(prefix + i, size, seed(size, concurrency, i))));
                        compare("GET", size, concurrency, ops,
                            CellRunner.run(ops, concurrency, size, i -> direct.executeGet(prefix + i)),
                            CellRunner.run(ops, concurrency, size, i -> viaAgent.executeGet(prefix + i)));
                        if (size == 4 * KIB) {
                            compare("GET again (agent: cached)", size, concurrency, ops,
                                CellRunner.run(ops, concurrency, size, i -> direct.executeGet(prefix + i)),
                                CellRunner.run(ops, concurrency, size, i -> viaAgent.executeGet(prefix + i)));
                        }
                    }
                }
                long loadRss = agent.takePeakRss();
                encryptionCost(jar, work, http, viaAgent, stamp);
                diskCacheCost(jar, work, http, direct, viaAgent, stamp);

                try (S3Client seaweedS3 = S3ClientComparison.client(http, endpoint, region, env("KELP_S3_ACCESS_KEY"), env("KELP_S3_SECRET_KEY"));
                     S3Client agentS3 = S3ClientComparison.client(http, URI.create("http://127.0.0.1:" + AgentUnderTest.s3Port(port)), region,
                         S3_KEY_ID, S3_SECRET)) {
                    S3ClientComparison.run(seaweedS3, directBucket, agentS3, agentBucket, quick, this::compare, this::line);
                }

                line("");
                line("## The agent's own figures");
                line("");
                line("| figure | measured |");
                line("| --- | --- |");
                line("| start to ready (JVM start to /health/readiness 200) | %d ms |", agent.startToReadyMillis);
                line("| RSS idle | %d MiB |", idleRss / MIB);
                line("| RSS peak during the table above | %d MiB |", loadRss / MIB);
                CellRunner.run(1, 1, 1024 * MIB, i -> viaAgent.executePut("one-gib", 1024 * MIB, 42));
                line("| RSS peak during one 1 GiB PUT | %d MiB |", agent.takePeakRss() / MIB);

                failover(agent, viaAgent);
                fallbackWrites(viaAgent, work);
                drain(agent, direct);
            }
        }
        Files.write(work.resolve("report.md"), report);
    }

    /**
     * A second agent, encryption at rest on (docs/encryption.md), beside the first: PUT then GET
     * of new content at 1 MiB and 64 MiB, concurrency 1 and 16, each cell on the plain agent
     * then on the encrypting one, so both see the same machine at the same moment.
     */
    private void encryptionCost(Path jar, Path work, SdkHttpClient http, AgentTarget plain, String stamp) throws Exception {
        String bucket = "bench-encrypted-" + stamp;
        Path dir = work.resolve("encrypted");
        Path keys = dir.resolve("keys");
        Files.createDirectories(keys);
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        Files.writeString(keys.resolve("key"), java.util.Base64.getEncoder().encodeToString(key));
        // port + 1 is the first agent's S3 endpoint (AgentUnderTest.s3Port).
        Path config = writeConfig(dir, bucket, port + 2, "  encryption:\n    enabled: true\n    key-dir: " + keys + "\n");
        try (var agent = new AgentUnderTest(jar, config, port + 2, work.resolve("agent-encrypted.log"))) {
            var encrypted = new AgentTarget(http, agent.base, bucket);
            CellRunner.run(quick ? 20 : 50, 4, MIB, i -> encrypted.executePut("warmup-mib/" + i, MIB, -100_000L - i));
            CellRunner.run(quick ? 20 : 50, 4, MIB, i -> encrypted.executeGet("warmup-mib/" + i));
            line("");
            line("## Encryption at rest: agent with it on vs off, same run (%s)", Instant.now());
            line("");
            line("| op | size | conc | ops | off MiB/s | on MiB/s | ratio on/off | off p50 / p99 ms | on p50 / p99 ms |");
            line("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
            for (long size : new long[] {MIB, 64 * MIB}) {
                for (int concurrency : new int[] {1, 16}) {
                    int ops = ops(size, concurrency);
                    String prefix = "enc-s" + size + "-c" + concurrency + "/";
                    // Seeds of their own: content the plain agent has not stored yet (it would dedup).
                    long base = 7_000_000_000L;
                    encryptionRow("PUT", size, concurrency, ops,
                        CellRunner.run(ops, concurrency, size, i -> plain.executePut(prefix + i, size, base + seed(size, concurrency, i))),
                        CellRunner.run(ops, concurrency, size, i -> encrypted.executePut(prefix + i, size, base + seed(size, concurrency, i))));
                    encryptionRow("GET", size, concurrency, ops,
                        CellRunner.run(ops, concurrency, size, i -> plain.executeGet(prefix + i)),
                        CellRunner.run(ops, concurrency, size, i -> encrypted.executeGet(prefix + i)));
                }
            }
        }
    }

    /**
     * A third agent with the disk cache on (docs/agent-config.md, {@code kelp.cache.disk}),
     * beside the plain one: the same new content PUT to SeaweedFS, the plain agent and the
     * caching one; the caching agent restarted, which empties its cache; then, cell by cell,
     * GETs from SeaweedFS direct, from the plain agent (every read from SeaweedFS), from the
     * caching agent (misses: read from SeaweedFS and copied) and from it again (hits: read from
     * the fallback volume). The cache holds every object of the table, so the second pass is
     * all hits, the best case; the first pass is the cost of filling it. The restarted agent
     * first reads objects of its own twice, and HEADs the table's objects (which loads their
     * metadata, not their bytes), so both passes time a warm JVM and warm metadata.
     */
    private void diskCacheCost(Path jar, Path work, SdkHttpClient http, SeaweedFsTarget direct, AgentTarget plain, String stamp)
        throws Exception {
        String bucket = "bench-disk-cache-" + stamp;
        Path dir = work.resolve("disk-cache");
        Path config = writeConfig(dir, bucket, port + 4, "  cache:\n    disk:\n      max-bytes: 3GiB\n");
        long base = 9_000_000_000L;
        long[] sizes = {MIB, 64 * MIB};
        int[] concurrencies = {1, 16};
        try (var agent = new AgentUnderTest(jar, config, port + 4, work.resolve("agent-disk-cache.log"))) {
            var cached = new AgentTarget(http, agent.base, bucket);
            for (long size : sizes) {
                for (int concurrency : concurrencies) {
                    String prefix = "cache-s" + size + "-c" + concurrency + "/";
                    for (Target side : List.of(direct, plain, cached)) {
                        CellRunner.run(ops(size, concurrency), 4, size, i -> side.executePut(prefix + i, size, base + seed(size, concurrency, i)));
                    }
                }
            }
            CellRunner.run(WARM_UP_READS, 4, MIB, i -> cached.executePut("warmup-reads/" + i, MIB, base - 1 - i));
        }
        try (var agent = new AgentUnderTest(jar, config, port + 4, work.resolve("agent-disk-cache-restarted.log"))) {
            var cached = new AgentTarget(http, agent.base, bucket);
            // A restarted JVM is cold: without this the miss column would time the JIT, not the copying.
            for (int pass = 0; pass < 2; pass++) {
                CellRunner.run(WARM_UP_READS, 4, MIB, i -> cached.executeGet("warmup-reads/" + i));
            }
            // Its metadata cache is cold too, the plain agent's is not: a HEAD of each object evens that out.
            for (long size : sizes) {
                for (int concurrency : concurrencies) {
                    String prefix = "cache-s" + size + "-c" + concurrency + "/";
                    CellRunner.run(ops(size, concurrency), 4, 0, i -> cached.executeHead(prefix + i));
                }
            }
            line("");
            line("## Disk cache: GET from SeaweedFS direct, the agent without it, and the agent with it (cold, then warm), same run (%s)",
                Instant.now());
            line("");
            line("| size | conc | ops | SeaweedFS MiB/s | no cache MiB/s | miss MiB/s | hit MiB/s | ratio no cache / miss / hit | SeaweedFS p50 / p99 ms | no cache p50 / p99 ms | miss p50 / p99 ms | hit p50 / p99 ms |");
            line("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
            for (long size : sizes) {
                for (int concurrency : concurrencies) {
                    int ops = ops(size, concurrency);
                    String prefix = "cache-s" + size + "-c" + concurrency + "/";
                    Stats seaweed = CellRunner.run(ops, concurrency, size, i -> direct.executeGet(prefix + i));
                    Stats none = CellRunner.run(ops, concurrency, size, i -> plain.executeGet(prefix + i));
                    Stats miss = CellRunner.run(ops, concurrency, size, i -> cached.executeGet(prefix + i));
                    awaitCopiesChecked(agent);
                    Stats hit = CellRunner.run(ops, concurrency, size, i -> cached.executeGet(prefix + i));
                    double d = seaweed.mibPerSecond();
                    line("| %s | %d | %d | %.1f | %.1f | %.1f | %.1f | %.2f / %.2f / %.2f | %s | %s | %s | %s |", human(size), concurrency, ops,
                        d, none.mibPerSecond(), miss.mibPerSecond(), hit.mibPerSecond(),
                        none.mibPerSecond() / d, miss.mibPerSecond() / d, hit.mibPerSecond() / d,
                        p50p99(seaweed), p50p99(none), p50p99(miss), p50p99(hit));
                }
            }
            line("");
            line("cache after the table: %s", agent.metric("kelp_cache_disk"));
        }
    }

    /** Copies made by reads are admitted after a SHA-256 check of their own: wait until the last ones are. */
    private static void awaitCopiesChecked(AgentUnderTest agent) throws Exception {
        String fills = agent.metric("kelp_cache_disk_fills_total");
        for (int i = 0; i < 100; i++) {
            Thread.sleep(300);
            String now = agent.metric("kelp_cache_disk_fills_total");
            if (now.equals(fills)) {
                return;
            }
            fills = now;
        }
    }

    /** 1 MiB objects read twice by the restarted caching agent before it is timed: a miss, then a hit, each. */
    private static final int WARM_UP_READS = 100;

    private static String p50p99(Stats stats) {
        return String.format(Locale.ROOT, "%.2f / %.2f", stats.percentileMillis(50), stats.percentileMillis(99));
    }

    private void encryptionRow(String op, long size, int concurrency, int ops, Stats off, Stats on) {
        line("| %s | %s | %d | %d | %.1f | %.1f | %.2f | %.2f / %.2f | %.2f / %.2f |", op, human(size), concurrency, ops,
            off.mibPerSecond(), on.mibPerSecond(), on.mibPerSecond() / off.mibPerSecond(),
            off.percentileMillis(50), off.percentileMillis(99), on.percentileMillis(50), on.percentileMillis(99));
    }

    /** A writer loops 4 KiB PUTs; SeaweedFS is killed under it. */
    private void failover(AgentUnderTest agent, AgentTarget viaAgent) throws Exception {
        List<long[]> spans = java.util.Collections.synchronizedList(new ArrayList<>());
        var stop = new java.util.concurrent.atomic.AtomicBoolean();
        Thread writer = Thread.ofPlatform().start(() -> {
            for (int i = 0; !stop.get(); i++) {
                long t = System.nanoTime();
                try {
                    viaAgent.executePut("failover/" + i, 4 * KIB, 1_000_000L + i);
                    spans.add(new long[] {t, System.nanoTime()});
                } catch (IOException e) {
                    spans.add(new long[] {t, -1});
                }
            }
        });
        Thread.sleep(1000);
        long killed = System.nanoTime();
        seaweedfs("kill");
        Thread.sleep(5000);
        stop.set(true);
        writer.join();
        long firstAfter = -1;
        long worst = 0;
        long failed = 0;
        synchronized (spans) {
            for (long[] s : spans) {
                if (s[1] < 0) {
                    failed++;
                    continue;
                }
                worst = Math.max(worst, s[1] - s[0]);
                if (s[0] >= killed && firstAfter < 0) {
                    firstAfter = s[1] - killed;
                }
            }
        }
        line("| SeaweedFS kill -9 → first write acknowledged from fallback | %.0f ms (%s) |", firstAfter / 1e6, agent.mode().contains("FALLBACK") ? "mode FALLBACK" : agent.mode());
        line("| slowest 4 KiB PUT across the kill / failed PUTs | %.0f ms / %d |", worst / 1e6, failed);
    }

    private void fallbackWrites(AgentTarget viaAgent, Path work) throws Exception {
        int ops = quick ? 50 : 200;
        Stats agentWrites = CellRunner.run(ops, 1, MIB, i -> viaAgent.executePut("fallback/" + i, MIB, 2_000_000L + i));
        var raw = new RawFsyncWriter(work.resolve("raw-fsync"));
        Stats rawWrites = CellRunner.run(ops, 1, MIB, i -> raw.write("raw-" + i, MIB, 2_000_000L + i));
        line("| fallback PUT 1 MiB, conc 1: agent vs raw fsync'd write + rename on the same disk | %.1f vs %.1f MiB/s (%.2f×) |",
            agentWrites.mibPerSecond(), rawWrites.mibPerSecond(), agentWrites.mibPerSecond() / rawWrites.mibPerSecond());
    }

    private void drain(AgentUnderTest agent, SeaweedFsTarget direct) throws Exception {
        long[] before = agent.pending();
        long started = System.nanoTime();
        seaweedfs("start");
        while (agent.pending()[0] > 0) {
            if (System.nanoTime() - started > TimeUnit.MINUTES.toNanos(10)) {
                throw new IllegalStateException("no drain in 10 minutes: " + agent.mode());
            }
            Thread.sleep(50);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        int ops = quick ? 50 : 200;
        Stats upload = CellRunner.run(ops, 4, MIB, i -> direct.executePut("drain-baseline/" + i, MIB, 3_000_000L + i));
        double drainRate = before[1] / (double) MIB / seconds;
        line("| drain after restart (SeaweedFS start included): %d objects, %d MiB | %.1f s, %.1f MiB/s; direct 1 MiB PUT at conc 4: %.1f MiB/s (%.2f×) |",
            before[0], before[1] / MIB, seconds, drainRate, upload.mibPerSecond(), drainRate / upload.mibPerSecond());
    }

    private void compare(String op, long size, int concurrency, int ops, Stats direct, Stats agent) {
        line("| %s | %s | %d | %d | %.1f | %.1f | %.2f | %.2f / %.2f | %.2f / %.2f | %+.2f / %+.2f |", op, human(size), concurrency, ops,
            direct.mibPerSecond(), agent.mibPerSecond(), agent.mibPerSecond() / direct.mibPerSecond(),
            direct.percentileMillis(50), direct.percentileMillis(99), agent.percentileMillis(50), agent.percentileMillis(99),
            agent.percentileMillis(50) - direct.percentileMillis(50), agent.percentileMillis(99) - direct.percentileMillis(99));
    }

    private int ops(long size, int concurrency) {
        int ops = size <= 4 * KIB ? 1000 : size <= MIB ? 100 : 4;
        ops *= concurrency == 1 ? 1 : 4;
        return quick ? Math.max(concurrency, ops / 4) : ops;
    }

    private static long seed(long size, int concurrency, int i) {
        return size * 1_000_003L + concurrency * 10_007L + i;
    }

    /** The agent's configuration; {@code extraKelp} is more of the {@code kelp:} section, indented by two. */
    static Path writeConfig(Path work, String bucket, int agentPort, String extraKelp) throws IOException {
        Files.createDirectories(work);
        Path config = work.resolve("kelp-agent.yml");
        Files.writeString(config, """
            kelp:
              storage:
                buckets: [%s]
              fallback:
                dir: %s
              seaweedfs:
                endpoint: %s
                region: %s
                access-key: %s
                secret-key: %s
              metadata:
                url: %s
                username: %s
                password: %s
              s3:
                access-key-id: %s
                secret-access-key: %s
            %smicronaut:
              server:
                port: %d
            """.formatted(bucket, work.resolve("fallback"), env("KELP_S3_ENDPOINT"), env("KELP_S3_REGION"), env("KELP_S3_ACCESS_KEY"),
            env("KELP_S3_SECRET_KEY"), env("KELP_PG_URL"), env("KELP_PG_USER"), env("KELP_PG_PASSWORD"), S3_KEY_ID, S3_SECRET,
            extraKelp, agentPort));
        return config;
    }

    /** Runs the proving ground's SeaweedFS script ({@code kill}, {@code start}, ...) and waits for it. */
    static void seaweedfs(String command) throws Exception {
        Process p = new ProcessBuilder("bash", env("KELP_SEAWEEDFS_SCRIPT"), command).inheritIO().start();
        if (!p.waitFor(3, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("seaweedfs " + command + " failed");
        }
    }

    private void line(String format, Object... args) {
        String text = String.format(Locale.ROOT, format, args);
        report.add(text);
        System.out.println(text);
    }

    private static String human(long size) {
        return size >= MIB ? size / MIB + " MiB" : size / KIB + " KiB";
    }

    static String env(String name) {
        String value = System.getenv(name);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException(name + " is not set: run this through scripts/bench");
        }
        return value;
    }
}
