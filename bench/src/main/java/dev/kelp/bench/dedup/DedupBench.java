package dev.kelp.bench.dedup;

import dev.kelp.bench.AgentUnderTest;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Issue 7's dedup-savings benchmark: realistic data sets written through the packaged agent
 * (PostgreSQL metadata, SeaweedFS), what the agent's whole-object dedup stores for them (read
 * from PostgreSQL and, independently, from a listing of the blobs on SeaweedFS), what the same
 * writes cost when every body is unique (same run, interleaved round by round), and, as an
 * analysis only, what content-defined chunking would store on top. Prints a Markdown report;
 * run it with scripts/bench-dedup, which starts SeaweedFS and PostgreSQL.
 */
public final class DedupBench {

    private static final int CONCURRENCY = 8;
    private static final int PORT = 18796;
    private static final Pattern PENDING = Pattern.compile("\"pending\":\\{\"objects\":(\\d+)");
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<String> report = new ArrayList<>();
    private long lastGaugeNanos;

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: DedupBench <agent jar> <work dir> <git repository> [--snapshots N] [--m2 DIR|none] [--m2-mib N] [--m2-builds N]");
            System.exit(2);
        }
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 3; i + 1 < args.length; i += 2) {
            options.put(args[i], args[i + 1]);
        }
        int snapshots = Integer.parseInt(options.getOrDefault("--snapshots", "20"));
        String m2 = options.getOrDefault("--m2", System.getProperty("user.home") + "/.m2/repository");
        long m2Bytes = Long.parseLong(options.getOrDefault("--m2-mib", "64")) << 20;
        List<DataSet> sets = new ArrayList<>();
        sets.add(GitSnapshots.of(Path.of(args[2]), snapshots));
        if (!m2.equals("none") && Files.isDirectory(Path.of(m2))) {
            sets.add(MavenRepositorySubset.of(Path.of(m2), m2Bytes, Integer.parseInt(options.getOrDefault("--m2-builds", "2"))));
        }
        new DedupBench().run(Path.of(args[0]), Path.of(args[1]), sets);
    }

    private void run(Path jar, Path work, List<DataSet> sets) throws Exception {
        Files.createDirectories(work);
        String stamp = Long.toString(System.currentTimeMillis(), 36);
        Map<DataSet, String[]> buckets = new LinkedHashMap<>();
        for (DataSet set : sets) {
            buckets.put(set, new String[] {"dd-" + set.name() + "-" + stamp, "du-" + set.name() + "-" + stamp});
        }
        String warmUp = "dw-" + stamp;
        String bucketList = warmUp + ", " + buckets.values().stream().flatMap(Arrays::stream).collect(Collectors.joining(", "));
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
            micronaut:
              server:
                port: %d
            """.formatted(bucketList, work.resolve("fallback"), env("KELP_S3_ENDPOINT"), env("KELP_S3_REGION"),
            env("KELP_S3_ACCESS_KEY"), env("KELP_S3_SECRET_KEY"), env("KELP_PG_URL"), env("KELP_PG_USER"), env("KELP_PG_PASSWORD"), PORT));
        line("Run %s; load average at start %s; concurrency %d; agent `-Xmx512m`, SeaweedFS and PostgreSQL, no encryption.",
            Instant.now(), loadAverage(), CONCURRENCY);
        try (var s3 = S3Client.builder().endpointOverride(URI.create(env("KELP_S3_ENDPOINT"))).region(Region.of(env("KELP_S3_REGION")))
                 .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(env("KELP_S3_ACCESS_KEY"), env("KELP_S3_SECRET_KEY"))))
                 .forcePathStyle(true).httpClient(ApacheHttpClient.builder().build()).build();
             var agent = new AgentUnderTest(jar, config, PORT, work.resolve("agent.log"))) {
            warmUp(agent, warmUp);
            for (var entry : buckets.entrySet()) {
                measure(agent, s3, entry.getKey(), entry.getValue()[0], entry.getValue()[1]);
            }
        }
        Files.write(work.resolve("report.md"), report);
    }

    private void measure(AgentUnderTest agent, S3Client s3, DataSet set, String dedupBucket, String uniqueBucket) throws Exception {
        Map<String, String> hashes = new LinkedHashMap<>();
        set.contents().forEach((id, body) -> hashes.put(id, sha256(body)));
        Set<String> seen = new HashSet<>();
        var dedup = new Writes();
        var unique = new Writes();
        List<Writes[]> perRound = new ArrayList<>();
        long uniqueBytes = 0;
        int serial = 0;
        int roundNumber = 0;
        // Round by round, each round to the dedup bucket and then, made unique, to the other: both
        // sides see the same load from the rest of the machine.
        for (List<DataSet.Item> round : set.rounds()) {
            List<Put> puts = new ArrayList<>();
            List<Put> uniquePuts = new ArrayList<>();
            for (DataSet.Item item : round) {
                byte[] body = set.contents().get(item.contentId());
                puts.add(new Put(item.key(), body, !seen.add(hashes.get(item.contentId()))));
                byte[] different = unique(body, serial++);
                uniqueBytes += different.length;
                uniquePuts.add(new Put(item.key(), different, false));
            }
            // Which side goes first alternates, so neither always follows the other's writes.
            Writes d;
            Writes u;
            if (roundNumber++ % 2 == 0) {
                d = write(agent, dedupBucket, puts);
                u = write(agent, uniqueBucket, uniquePuts);
            } else {
                u = write(agent, uniqueBucket, uniquePuts);
                d = write(agent, dedupBucket, puts);
            }
            dedup.add(d);
            unique.add(u);
            perRound.add(new Writes[] {d, u});
        }
        awaitDrained(agent);
        var stored = StoredBytes.read(env("KELP_PG_URL"), env("KELP_PG_USER"), env("KELP_PG_PASSWORD"), s3, dedupBucket);
        var storedUnique = StoredBytes.read(env("KELP_PG_URL"), env("KELP_PG_USER"), env("KELP_PG_PASSWORD"), s3, uniqueBucket);
        Map<String, byte[]> distinct = new LinkedHashMap<>();
        set.contents().forEach((id, body) -> distinct.putIfAbsent(hashes.get(id), body));

        line("");
        line("### Data set `%s`", set.name());
        line("");
        line("%s. Written with %d PUTs at a time through the native API (`PUT /v1/objects/<bucket>/<key>`), round by round (%d rounds), each round to the dedup bucket and, made unique, to a second bucket, which of the two first alternating.",
            capitalised(set.description()), CONCURRENCY, set.rounds().size());
        line("");
        line("| figure | value |");
        line("| --- | ---: |");
        line("| objects written | %,d |", set.objects());
        line("| logical bytes written | %s |", bytes(set.logicalBytes()));
        line("| distinct contents (SHA-256, counted by the bench) | %,d, %s |", distinct.size(), bytes(distinct.values().stream().mapToLong(b -> b.length).sum()));
        line("| PostgreSQL: current objects, their bytes (`objects` ⋈ `object_versions`) | %,d, %s |", stored.objects(), bytes(stored.logicalBytes()));
        line("| PostgreSQL: `bucket_usage.bytes` | %s |", bytes(stored.usageBytes()));
        line("| PostgreSQL: blob rows, sum of `blobs.size` (stored) | %,d, %s |", stored.blobRows(), bytes(stored.blobBytes()));
        line("| SeaweedFS: objects under `blobs/`, their bytes (S3 listing of the bucket, not through the agent) | %,d, %s |", stored.s3Blobs(), bytes(stored.s3BlobBytes()));
        line("| the two agree | %s |", stored.blobBytes() == stored.s3BlobBytes() && stored.blobRows() == stored.s3Blobs() ? "yes" : "**no**");
        long saved = stored.logicalBytes() - stored.blobBytes();
        line("| bytes saved by whole-object dedup | %s (%.1f %% of logical) |", bytes(saved), 100.0 * saved / Math.max(1, stored.logicalBytes()));
        line("| the agent's gauge `kelp_dedup_saved_bytes` for the bucket (`/prometheus`) | %s |", gauge(agent, dedupBucket));
        line("| dedup ratio (logical ÷ stored) | %.2f× |", (double) stored.logicalBytes() / Math.max(1, stored.blobBytes()));
        line("| all-unique copy: stored ÷ logical (control: must be 1.00) | %.2f (%,d blobs for %,d objects) |",
            (double) storedUnique.blobBytes() / Math.max(1, storedUnique.logicalBytes()), storedUnique.blobRows(), storedUnique.objects());
        line("");
        line("PUT cost, same run (the all-unique copy: every body changed in its first 16 bytes, or padded to 16, so no two hash alike; %s):", bytes(uniqueBytes));
        line("");
        line("| writes | PUTs | wall s | PUT/s | MiB/s (logical) | p50 ms | p99 ms |");
        line("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        dedup.row("with dedup, all", -1);
        dedup.row("with dedup: hits (content already in the bucket)", 1);
        dedup.row("with dedup: first copies", 0);
        unique.row("all-unique copy, all", -1);
        if (perRound.size() <= 4) {
            for (int r = 0; r < perRound.size(); r++) {
                perRound.get(r)[0].row("round " + (r + 1) + " with dedup", -1);
                perRound.get(r)[1].row("round " + (r + 1) + " all-unique", -1);
            }
        }
        line("");
        line("Block-level dedup, **analysis only, not a Kelp feature**: the %,d distinct blobs above cut with FastCDC (Gear hash, normalized chunking, min = avg/4, max = 4 × avg), each distinct chunk (SHA-256) stored once:", distinct.size());
        line("");
        line("| avg chunk | chunks | distinct chunks | stored with chunking | saved beyond whole-object dedup | total ratio (logical ÷ stored) |");
        line("| ---: | ---: | ---: | ---: | ---: | ---: |");
        for (int avg : new int[] {64 << 10, 8 << 10}) {
            var cdc = ChunkAnalysis.of(distinct.values(), new ContentDefinedChunker(avg));
            line("| %d KiB | %,d | %,d | %s | %s (%.1f %% of whole-object's stored bytes) | %.2f× |", avg >> 10, cdc.chunks(), cdc.distinctChunks(),
                bytes(cdc.chunkBytes()), bytes(cdc.additionalSavings()), 100.0 * cdc.additionalSavings() / Math.max(1, cdc.blobBytes()),
                (double) set.logicalBytes() / Math.max(1, cdc.chunkBytes()));
        }
        line("");
        line("Load average after this data set: %s", loadAverage());
    }

    /** JIT and connection pools warm on both paths before anything is measured: 1,000 PUTs of 1-8 KiB, every second one a repeat. */
    private void warmUp(AgentUnderTest agent, String bucket) {
        List<Put> puts = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            var random = new SplittableRandom(0x3a3aL + i / 2);
            byte[] body = new byte[random.nextInt(1024, 8192)];
            random.nextBytes(body);
            puts.add(new Put("warm/" + i, body, i % 2 == 1));
        }
        write(agent, bucket, puts);
        line("Warm-up: 1,000 PUTs of 1-8 KiB (every second one a repeat) to a bucket of its own, not counted.");
    }

    private record Put(String key, byte[] body, boolean expectedHit) {
    }

    /** Latencies of a set of PUTs, by whether their content was already in the bucket, and their wall time. */
    private final class Writes {
        private final List<long[]> latencies = new ArrayList<>(); // {nanos, hit 1 / 0, bytes}
        private long wallNanos;

        void add(Writes round) {
            latencies.addAll(round.latencies);
            wallNanos += round.wallNanos;
        }

        void row(String what, int hit) {
            long[] l = latencies.stream().filter(x -> hit < 0 || x[1] == hit).mapToLong(x -> x[0]).sorted().toArray();
            long b = latencies.stream().filter(x -> hit < 0 || x[1] == hit).mapToLong(x -> x[2]).sum();
            if (hit < 0) {
                double s = wallNanos / 1e9;
                line("| %s | %,d | %.1f | %.0f | %.2f | %.2f | %.2f |", what, l.length, s, l.length / s, b / 1048576.0 / s, percentile(l, 50), percentile(l, 99));
            } else {
                line("| %s | %,d | | | | %.2f | %.2f |", what, l.length, percentile(l, 50), percentile(l, 99));
            }
        }
    }

    private Writes write(AgentUnderTest agent, String bucket, List<Put> puts) {
        var writes = new Writes();
        long[][] results = new long[puts.size()][];
        long t = System.nanoTime();
        parallel(puts.size(), i -> {
            Put put = puts.get(i);
            String path = Arrays.stream(put.key().split("/", -1)).map(s -> URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20"))
                .collect(Collectors.joining("/"));
            long start = System.nanoTime();
            try {
                var response = http.send(HttpRequest.newBuilder(URI.create(agent.base + "/v1/objects/" + bucket + "/" + path))
                    .header("Content-Type", "application/octet-stream").PUT(HttpRequest.BodyPublishers.ofByteArray(put.body())).build(),
                    HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != 201 && response.statusCode() != 200) {
                    throw new IllegalStateException("PUT " + put.key() + ": " + response.statusCode() + " " + response.body());
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            results[i] = new long[] {System.nanoTime() - start, put.expectedHit() ? 1 : 0, put.body().length};
        });
        writes.wallNanos = System.nanoTime() - t;
        writes.latencies.addAll(Arrays.asList(results));
        return writes;
    }

    /** The same bytes made distinct from every other body of the run, the size kept (bodies under 16 bytes padded to 16). */
    static byte[] unique(byte[] body, int serial) {
        byte[] out = Arrays.copyOf(body, Math.max(16, body.length));
        var random = new SplittableRandom(0xd0d0L + serial);
        for (int i = 0; i < 16; i++) {
            out[i] ^= (byte) random.nextInt(256);
        }
        // The serial itself in the XOR pattern, so two bodies can never end up alike by chance.
        for (int i = 0; i < 4; i++) {
            out[12 + i] ^= (byte) (serial >>> (8 * i));
        }
        return out;
    }

    private static void parallel(int n, java.util.function.IntConsumer each) {
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
        var permits = new Semaphore(CONCURRENCY);
        var failure = new AtomicReference<Throwable>();
        for (int i = 0; i < n && failure.get() == null; i++) {
            int item = i;
            permits.acquireUninterruptibly();
            pool.execute(() -> {
                try {
                    each.accept(item);
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                } finally {
                    permits.release();
                }
            });
        }
        pool.shutdown();
        try {
            pool.awaitTermination(1, TimeUnit.HOURS);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        if (failure.get() != null) {
            throw new IllegalStateException(failure.get());
        }
    }

    private void awaitDrained(AgentUnderTest agent) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (true) {
            String mode = http.send(HttpRequest.newBuilder(URI.create(agent.base + "/v1/mode")).build(), HttpResponse.BodyHandlers.ofString()).body();
            Matcher m = PENDING.matcher(mode);
            if (m.find() && Long.parseLong(m.group(1)) == 0) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the sync queue did not drain: " + mode);
            }
            Thread.sleep(200);
        }
    }

    /**
     * The agent's own figure. Its figures are refreshed in the background by a scrape that finds
     * them over 30 s old, so: 35 s since the last reading at least, one scrape to start the
     * refresh, a pause for its one query, then the reading.
     */
    private String gauge(AgentUnderTest agent, String bucket) throws Exception {
        long sinceLast = System.nanoTime() - lastGaugeNanos;
        if (lastGaugeNanos != 0 && sinceLast < Duration.ofSeconds(35).toNanos()) {
            Thread.sleep(Duration.ofSeconds(35).minusNanos(sinceLast));
        }
        lastGaugeNanos = System.nanoTime();
        http.send(HttpRequest.newBuilder(URI.create(agent.base + "/prometheus")).build(), HttpResponse.BodyHandlers.discarding());
        Thread.sleep(5000);
        Pattern line = Pattern.compile("(?m)^kelp_dedup_saved_bytes\\{[^}]*bucket=\"" + Pattern.quote(bucket) + "\"[^}]*\\} (\\S+)$");
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String last = "absent";
        while (System.nanoTime() < deadline) {
            Matcher m = line.matcher(http.send(HttpRequest.newBuilder(URI.create(agent.base + "/prometheus")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
            if (m.find()) {
                last = m.group(1);
                if (!last.equals("NaN")) {
                    return bytes((long) Double.parseDouble(last));
                }
            }
            Thread.sleep(250);
        }
        return "not read within 30 s (" + last + ")";
    }

    private static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))] / 1e6;
    }

    private static String sha256(byte[] body) {
        MessageDigest sha = ChunkAnalysis.sha256();
        return HexFormat.of().formatHex(sha.digest(body));
    }

    private static String bytes(long n) {
        return String.format(Locale.ROOT, "%.2f MiB (%,d B)", n / 1048576.0, n);
    }

    private static String capitalised(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + ", " + f[1] + ", " + f[2];
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    private void line(String format, Object... args) {
        String text = String.format(Locale.ROOT, format, args);
        report.add(text);
        System.out.println(text);
    }

    private static String env(String name) {
        String value = System.getenv(name);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException(name + " is not set: run this through scripts/bench-dedup");
        }
        return value;
    }
}
