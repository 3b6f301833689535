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
import java.util.HashMap;
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
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Issue 7's dedup-savings benchmark: realistic data sets written through the packaged agent
 * (PostgreSQL metadata, SeaweedFS), what the agent's whole-object dedup stores for them (read
 * from PostgreSQL and, independently, from a listing of the bucket on SeaweedFS), and what the
 * same writes cost when every body is unique (same run, interleaved round by round). Then the
 * large-file part: large similar files (tar snapshots of this repository, generated database
 * dumps) written into one bucket through an agent with block-level dedup
 * ({@code kelp.dedup.blocks}) off and one bucket through each agent with it on, what each
 * stores on SeaweedFS ({@code blobs/} and {@code chunks/} listed directly), the agent's
 * {@code kelp_dedup_block_saved_bytes}, and PUT and GET throughput on against off (same run,
 * interleaved file by file). Prints a Markdown report; run it with scripts/bench-dedup, which
 * starts SeaweedFS and PostgreSQL.
 */
public final class DedupBench {

    private static final int CONCURRENCY = 8;
    private static final int PORT = 18796;
    private static final Pattern PENDING = Pattern.compile("\"pending\":\\{\"objects\":(\\d+)");
    private static final Set<String> FLAGS = Set.of("--large-only", "--drop-buckets");
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<String> report = new ArrayList<>();
    private final Map<AgentUnderTest, Long> lastScrapeNanos = new HashMap<>();

    /** One agent with block-level dedup on: its {@code kelp.dedup.blocks} sizes, as the agent's config takes them. */
    record BlockConfig(String minObjectSize, String averageChunk) {
        static List<BlockConfig> parse(String list) {
            List<BlockConfig> configs = new ArrayList<>();
            for (String pair : list.split(",")) {
                String[] f = pair.trim().split("/");
                if (f.length != 2) {
                    throw new IllegalArgumentException("--blocks takes <min-object-size>/<average-chunk>[,...], e.g. 8MiB/1MiB, not " + pair);
                }
                var config = new BlockConfig(f[0], f[1]);
                config.minBytes();
                config.averageBytes();
                configs.add(config);
            }
            return configs;
        }

        long minBytes() {
            return sizeOf(minObjectSize);
        }

        long averageBytes() {
            return sizeOf(averageChunk);
        }

        String label() {
            return "on, " + minObjectSize + " / " + averageChunk;
        }

        private static long sizeOf(String text) {
            Matcher m = Pattern.compile("(\\d+)(B|KiB|MiB|GiB)?").matcher(text);
            if (!m.matches()) {
                throw new IllegalArgumentException("not a size (a number, then B, KiB, MiB or GiB): " + text);
            }
            int shift = switch (m.group(2) == null ? "B" : m.group(2)) {
                case "KiB" -> 10;
                case "MiB" -> 20;
                case "GiB" -> 30;
                default -> 0;
            };
            return Long.parseLong(m.group(1)) << shift;
        }
    }

    /** One side of the large-file comparison: an agent and the bucket it writes the large files to. */
    private record Side(String label, AgentUnderTest agent, String bucket, BlockConfig blocks) {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: DedupBench <agent jar> <work dir> <git repository> [--snapshots N] [--m2 DIR|none] [--m2-mib N] [--m2-builds N]"
                + " [--large-only | --large none] [--tar-snapshots N] [--tar-source checkout|git-archive] [--dump-mib N] [--dump-days N]"
                + " [--blocks MIN/AVG[,MIN/AVG...]] [--drop-buckets]");
            System.exit(2);
        }
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 3; i < args.length; i++) {
            if (FLAGS.contains(args[i])) {
                options.put(args[i], "true");
            } else if (i + 1 < args.length) {
                options.put(args[i], args[++i]);
            } else {
                throw new IllegalArgumentException(args[i] + " needs a value");
            }
        }
        boolean largeOnly = options.containsKey("--large-only");
        boolean large = !options.getOrDefault("--large", "all").equals("none");
        if (largeOnly && !large) {
            throw new IllegalArgumentException("--large-only and --large none leave nothing to measure");
        }
        Path repository = Path.of(args[2]);
        List<DataSet> sets = new ArrayList<>();
        if (!largeOnly) {
            int snapshots = Integer.parseInt(options.getOrDefault("--snapshots", "20"));
            String m2 = options.getOrDefault("--m2", System.getProperty("user.home") + "/.m2/repository");
            long m2Bytes = Long.parseLong(options.getOrDefault("--m2-mib", "64")) << 20;
            sets.add(GitSnapshots.of(repository, snapshots));
            if (!m2.equals("none") && Files.isDirectory(Path.of(m2))) {
                sets.add(MavenRepositorySubset.of(Path.of(m2), m2Bytes, Integer.parseInt(options.getOrDefault("--m2-builds", "2"))));
            }
        }
        List<DataSet> largeSets = new ArrayList<>();
        if (large) {
            largeSets.add(TarSnapshots.of(repository, Integer.parseInt(options.getOrDefault("--tar-snapshots", "20")),
                options.getOrDefault("--tar-source", "checkout")));
            largeSets.add(GeneratedDump.of(Long.parseLong(options.getOrDefault("--dump-mib", "32")) << 20,
                Integer.parseInt(options.getOrDefault("--dump-days", "8"))));
        }
        var blocks = BlockConfig.parse(options.getOrDefault("--blocks", "8MiB/1MiB,1MiB/64KiB"));
        new DedupBench().run(Path.of(args[0]), Path.of(args[1]), sets, largeSets, blocks, options.containsKey("--drop-buckets"));
    }

    private void run(Path jar, Path work, List<DataSet> sets, List<DataSet> largeSets, List<BlockConfig> blocks, boolean dropBuckets) throws Exception {
        Files.createDirectories(work);
        String stamp = Long.toString(System.currentTimeMillis(), 36);
        Map<DataSet, String[]> buckets = new LinkedHashMap<>();
        for (DataSet set : sets) {
            buckets.put(set, new String[] {"dd-" + set.name() + "-" + stamp, "du-" + set.name() + "-" + stamp});
        }
        String warmUp = "dw-" + stamp;
        String largeOff = "bo-large-" + stamp;
        List<String> largeOn = new ArrayList<>();
        for (int k = 0; k < blocks.size(); k++) {
            largeOn.add("b" + (k + 1) + "-large-" + stamp);
        }
        List<String> offBuckets = new ArrayList<>(List.of(warmUp));
        buckets.values().forEach(b -> offBuckets.addAll(Arrays.asList(b)));
        if (!largeSets.isEmpty()) {
            offBuckets.add(largeOff);
        }
        List<String> made = new ArrayList<>(offBuckets);
        line("Run %s; load average at start %s; %d cores; concurrency %d for the small-file sets; agents `-Xmx512m`, SeaweedFS and PostgreSQL, no encryption.",
            Instant.now(), loadAverage(), Runtime.getRuntime().availableProcessors(), CONCURRENCY);
        try (var s3 = S3Client.builder().endpointOverride(URI.create(env("KELP_S3_ENDPOINT"))).region(Region.of(env("KELP_S3_REGION")))
                 .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(env("KELP_S3_ACCESS_KEY"), env("KELP_S3_SECRET_KEY"))))
                 .forcePathStyle(true).httpClient(ApacheHttpClient.builder().build()).build()) {
            List<AgentUnderTest> agents = new ArrayList<>();
            try {
                var off = new AgentUnderTest(jar, config(work, "kelp-agent.yml", offBuckets, null, PORT), PORT, work.resolve("agent.log"));
                agents.add(off);
                if (!sets.isEmpty()) {
                    warmUp(off, warmUp, "warm/", 0);
                    line("Warm-up: 1,000 PUTs of 1-8 KiB (every second one a repeat) to a bucket of its own, not counted.");
                    for (var entry : buckets.entrySet()) {
                        measure(off, s3, entry.getKey(), entry.getValue()[0], entry.getValue()[1]);
                    }
                }
                if (!largeSets.isEmpty()) {
                    List<Side> sides = new ArrayList<>();
                    sides.add(new Side("off", off, largeOff, null));
                    for (int k = 0; k < blocks.size(); k++) {
                        int port = PORT + 10 * (k + 1);
                        made.add(largeOn.get(k));
                        var on = new AgentUnderTest(jar, config(work, "kelp-agent-blocks-" + (k + 1) + ".yml", List.of(warmUp, largeOn.get(k)), blocks.get(k), port),
                            port, work.resolve("agent-blocks-" + (k + 1) + ".log"));
                        agents.add(on);
                        sides.add(new Side(blocks.get(k).label(), on, largeOn.get(k), blocks.get(k)));
                    }
                    measureLarge(s3, sides, largeSets, warmUp, !sets.isEmpty());
                }
            } finally {
                for (AgentUnderTest agent : agents.reversed()) {
                    agent.close();
                }
            }
            if (dropBuckets) {
                for (String bucket : made) {
                    drop(s3, bucket);
                }
                System.err.println("dropped the buckets of this run from SeaweedFS: " + made);
            }
        }
        Files.write(work.resolve("report.md"), report);
    }

    /** The agent's config file: these buckets, the proving ground's services, block-level dedup off ({@code blocks} null) or on. */
    private static Path config(Path work, String name, List<String> buckets, BlockConfig blocks, int port) throws java.io.IOException {
        Path config = work.resolve(name);
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
              dedup:
                blocks:
                  enabled: %s
            %s
            micronaut:
              server:
                port: %d
            """.formatted(String.join(", ", buckets), work.resolve(name.replace(".yml", "") + "-fallback"), env("KELP_S3_ENDPOINT"), env("KELP_S3_REGION"),
            env("KELP_S3_ACCESS_KEY"), env("KELP_S3_SECRET_KEY"), env("KELP_PG_URL"), env("KELP_PG_USER"), env("KELP_PG_PASSWORD"),
            blocks != null, blocks == null ? "" : "      min-object-size: " + blocks.minObjectSize() + "\n      average-chunk: " + blocks.averageChunk(),
            port));
        return config;
    }

    /** Deletes every object of a bucket and the bucket (its collection's volumes with it) from SeaweedFS; PostgreSQL's rows stay. */
    private static void drop(S3Client s3, String bucket) {
        try {
            for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(bucket)).contents()) {
                s3.deleteObject(b -> b.bucket(bucket).key(o.key()));
            }
            s3.deleteBucket(b -> b.bucket(bucket));
        } catch (NoSuchBucketException never) {
            // nothing was written to it
        }
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
        line("| SeaweedFS: whole blobs under `blobs/`, their bytes (S3 listing of the bucket, not through the agent) | %,d, %s |", stored.wholeBlobs(), bytes(stored.wholeBlobBytes()));
        line("| SeaweedFS: chunk manifests under `blobs/`, objects under `chunks/` (block-level dedup; off on this agent) | %,d, %,d |", stored.manifests(), stored.chunks());
        line("| the two agree | %s |", stored.agree() ? "yes" : "**no**");
        long saved = stored.logicalBytes() - stored.blobBytes();
        line("| bytes saved by whole-object dedup | %s (%.1f %% of logical) |", bytes(saved), 100.0 * saved / Math.max(1, stored.logicalBytes()));
        line("| the agent's gauge `kelp_dedup_saved_bytes` for the bucket (`/prometheus`) | %s |", gaugeText(gauges(agent, dedupBucket, SAVED).get(SAVED)));
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
        long largest = set.contents().values().stream().mapToLong(b -> b.length).max().orElse(0);
        line("Block-level dedup does not apply to this set at its default `min-object-size` (8 MiB): its largest object is %s. See the large-file part for it.",
            bytes(largest));
        line("");
        line("Load average after this data set: %s", loadAverage());
    }

    /** One large file of the large-file part: its data set, key, body and SHA-256. */
    private record LargeFile(DataSet set, String key, byte[] body, String sha256) {
    }

    /** {nanos, bytes} of each PUT and each GET of one side's files of one data set. */
    private static final class Transfers {
        final List<long[]> puts = new ArrayList<>();
        final List<long[]> gets = new ArrayList<>();
    }

    private void measureLarge(S3Client s3, List<Side> sides, List<DataSet> sets, String warmBucket, boolean offWarmed) throws Exception {
        for (int k = 0; k < sides.size(); k++) {
            Side side = sides.get(k);
            if (k > 0 || !offWarmed) {
                warmUp(side.agent(), warmBucket, "warm-" + k + "/", k + 1);
            }
            // The chunking path too: two 12 MiB random bodies (nothing to share) written and read back.
            for (int i = 0; i < 2; i++) {
                byte[] body = new byte[12 << 20];
                new SplittableRandom(0x1a29eL + 31L * k + i).nextBytes(body);
                var file = new LargeFile(null, "warm-large-" + k + "/" + i, body, sha256(body));
                putOne(side.agent(), warmBucket, file.key(), body);
                getAndVerify(side.agent(), warmBucket, file);
            }
        }
        List<LargeFile> files = new ArrayList<>();
        for (DataSet set : sets) {
            for (List<DataSet.Item> round : set.rounds()) {
                for (DataSet.Item item : round) {
                    byte[] body = set.contents().get(item.contentId());
                    files.add(new LargeFile(set, item.key(), body, sha256(body)));
                }
            }
        }
        Map<Side, Map<DataSet, Transfers>> transfers = new LinkedHashMap<>();
        for (Side side : sides) {
            Map<DataSet, Transfers> bySet = new LinkedHashMap<>();
            sets.forEach(set -> bySet.put(set, new Transfers()));
            transfers.put(side, bySet);
        }
        // One file at a time, to every agent in turn, which agent first rotating from file to file.
        Set<String> notFull = new java.util.LinkedHashSet<>();
        for (int i = 0; i < files.size(); i++) {
            LargeFile file = files.get(i);
            for (int j = 0; j < sides.size(); j++) {
                Side side = sides.get((i + j) % sides.size());
                transfers.get(side).get(file.set()).puts.add(new long[] {putOne(side.agent(), side.bucket(), file.key(), file.body()), file.body().length});
                if (!side.agent().mode().contains("\"mode\":\"FULL\"") || side.agent().pending()[0] > 0) {
                    notFull.add(side.label() + " at " + file.key());
                }
            }
        }
        for (Side side : sides) {
            awaitDrained(side.agent());
        }
        for (int i = 0; i < files.size(); i++) {
            LargeFile file = files.get(i);
            for (int j = 0; j < sides.size(); j++) {
                Side side = sides.get((i + j) % sides.size());
                transfers.get(side).get(file.set()).gets.add(new long[] {getAndVerify(side.agent(), side.bucket(), file), file.body().length});
            }
        }
        Map<Side, StoredBytes> stored = new LinkedHashMap<>();
        Map<Side, Map<String, Double>> gauges = new LinkedHashMap<>();
        Map<Side, long[]> chunkCounters = new LinkedHashMap<>();
        for (Side side : sides) {
            stored.put(side, StoredBytes.read(env("KELP_PG_URL"), env("KELP_PG_USER"), env("KELP_PG_PASSWORD"), s3, side.bucket()));
        }
        for (Side side : sides) {
            gauges.put(side, gauges(side.agent(), side.bucket(), BLOCK_SAVED, SAVED));
            chunkCounters.put(side, new long[] {counter(side.agent(), "kelp_dedup_block_chunks_total", "outcome=\"stored\""),
                counter(side.agent(), "kelp_dedup_block_chunks_total", "outcome=\"shared\"")});
        }

        line("");
        line("### Large similar files: block-level dedup on and off");
        line("");
        for (DataSet set : sets) {
            line("- `%s`: %s.", set.name(), set.description());
        }
        line("");
        line("%,d files, %s, written one at a time through the native API (the way a nightly job writes its one dump or tar) to every agent in turn,"
            + " which agent first rotating from file to file; then, once every sync queue is empty, each read back (`GET`, one at a time, the same rotation),"
            + " its SHA-256 checked. Agents, each in its own JVM on the same SeaweedFS and PostgreSQL, each writing all the files into one bucket of its own: %s."
            + " The gauges are the agent's own figures for the bucket; the chunk counters are the agent's, all buckets, so they also count its warm-up"
            + " (two 12 MiB random files, nothing to share).",
            files.size(), bytes(files.stream().mapToLong(f -> f.body().length).sum()),
            sides.stream().map(s -> "**" + s.label() + "** (" + (s.blocks() == null ? "`kelp.dedup.blocks.enabled: false`"
                : "`kelp.dedup.blocks` `enabled: true`, `min-object-size: " + s.blocks().minObjectSize() + "`, `average-chunk: " + s.blocks().averageChunk() + "`") + ")")
                .collect(Collectors.joining(", ")));
        if (!notFull.isEmpty()) {
            line("");
            line("**Warning: an agent was out of FULL mode or had writes queued for SeaweedFS after some PUTs (an outage of SeaweedFS?), so those PUT times"
                + " are not SeaweedFS's: %s. Rerun.**", String.join("; ", notFull));
        }
        line("");
        line("**What is stored**");
        line("");
        line("| | %s |", sides.stream().map(Side::label).collect(Collectors.joining(" | ")));
        line("| --- |%s", " ---: |".repeat(sides.size()));
        row(sides, "objects (current), logical bytes (PostgreSQL)", s -> "%,d, %s".formatted(stored.get(s).objects(), bytes(stored.get(s).logicalBytes())));
        row(sides, "PostgreSQL: blob rows, sum of `blobs.size`", s -> "%,d, %s".formatted(stored.get(s).blobRows(), bytes(stored.get(s).blobBytes())));
        row(sides, "PostgreSQL: `chunks` rows in use, their bytes; `chunk_uses` rows", s -> "%,d, %s; %,d".formatted(stored.get(s).chunkRows(),
            bytes(stored.get(s).chunkRowBytes()), stored.get(s).chunkUses()));
        row(sides, "SeaweedFS: whole blobs `blobs/…/<hash>` (S3 listing, not through the agent)", s -> "%,d, %s".formatted(stored.get(s).wholeBlobs(), bytes(stored.get(s).wholeBlobBytes())));
        row(sides, "SeaweedFS: manifests `blobs/…/<hash>.chunks`", s -> "%,d, %s".formatted(stored.get(s).manifests(), bytes(stored.get(s).manifestBytes())));
        row(sides, "SeaweedFS: chunks `chunks/…/<hash>`", s -> "%,d, %s".formatted(stored.get(s).chunks(), bytes(stored.get(s).chunkBytes())));
        row(sides, "**stored on SeaweedFS** (`blobs/` + `chunks/`)", s -> "**" + bytes(stored.get(s).storedBytes()) + "**");
        row(sides, "saved: logical − stored", s -> "%s (%.1f %%)".formatted(bytes(stored.get(s).logicalBytes() - stored.get(s).storedBytes()),
            100.0 * (stored.get(s).logicalBytes() - stored.get(s).storedBytes()) / Math.max(1, stored.get(s).logicalBytes())));
        row(sides, "**ratio** logical ÷ stored", s -> "**%.2f×**".formatted((double) stored.get(s).logicalBytes() / Math.max(1, stored.get(s).storedBytes())));
        row(sides, "the agent's `kelp_dedup_block_saved_bytes`", s -> "**" + gaugeText(gauges.get(s).get(BLOCK_SAVED)) + "**");
        row(sides, "the same from the listing: logical − stored − whole-object saved + manifests − chunks repeated within a file", s -> {
            var st = stored.get(s);
            long expected = st.logicalBytes() - st.storedBytes() - (st.logicalBytes() - st.blobBytes()) + st.manifestBytes() - st.repeatedWithinBlobs();
            Double gauge = gauges.get(s).get(BLOCK_SAVED);
            return bytes(expected) + (gauge == null ? "" : gauge.longValue() == expected ? ", equal" : ", **differs**");
        });
        row(sides, "the agent's `kelp_dedup_saved_bytes` (whole-object)", s -> gaugeText(gauges.get(s).get(SAVED)));
        row(sides, "chunks uploaded / found already there (`kelp_dedup_block_chunks_total`)", s -> "%,d / %,d".formatted(chunkCounters.get(s)[0], chunkCounters.get(s)[1]));
        row(sides, "listing and PostgreSQL agree; every chunk a manifest names is listed, its length as named", s -> stored.get(s).agree() ? "yes" : "**no**");
        line("");
        line("**Per data set** (stored: the set's whole blobs and manifests, and each distinct chunk its manifests name, once; read from the listing and the manifests)");
        line("");
        line("| data set | agent | files | logical | distinct contents chunked (of those ≥ `min-object-size`) | stored on SeaweedFS | ratio |");
        line("| --- | --- | ---: | ---: | ---: | ---: | ---: |");
        for (DataSet set : sets) {
            Set<String> hashes = files.stream().filter(f -> f.set() == set).map(LargeFile::sha256).collect(Collectors.toSet());
            long logical = files.stream().filter(f -> f.set() == set).mapToLong(f -> f.body().length).sum();
            for (Side side : sides) {
                long big = side.blocks() == null ? 0 : files.stream().filter(f -> f.set() == set && f.body().length >= side.blocks().minBytes())
                    .map(LargeFile::sha256).distinct().count();
                long forSet = stored.get(side).storedFor(hashes);
                line("| `%s` | %s | %,d | %s | %s | %s | %.2f× |", set.name(), side.label(), set.objects(), bytes(logical),
                    side.blocks() == null ? "—" : "%,d (of %,d)".formatted(stored.get(side).chunkedAmong(hashes), big), bytes(forSet), (double) logical / Math.max(1, forSet));
            }
        }
        line("");
        line("**Throughput** (one file at a time; MiB/s = the set's bytes ÷ the sum of its files' times; ratio = this agent's MiB/s ÷ the off agent's)");
        line("");
        line("| data set | agent | PUT MiB/s | PUT p50 / max ms per file | PUT vs off | GET MiB/s | GET p50 / max ms per file | GET vs off |");
        line("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        for (DataSet set : sets) {
            Transfers offT = transfers.get(sides.getFirst()).get(set);
            for (Side side : sides) {
                Transfers t = transfers.get(side).get(set);
                line("| `%s` | %s | %.1f | %.0f / %.0f | %.2f× | %.1f | %.0f / %.0f | %.2f× |", set.name(), side.label(),
                    mibPerSecond(t.puts), percentile(sortedNanos(t.puts), 50), percentile(sortedNanos(t.puts), 100), mibPerSecond(t.puts) / mibPerSecond(offT.puts),
                    mibPerSecond(t.gets), percentile(sortedNanos(t.gets), 50), percentile(sortedNanos(t.gets), 100), mibPerSecond(t.gets) / mibPerSecond(offT.gets));
            }
        }
        line("");
        line("Load average after the large-file part: %s", loadAverage());
    }

    private void row(List<Side> sides, String what, java.util.function.Function<Side, String> value) {
        line("| %s | %s |", what, sides.stream().map(value).collect(Collectors.joining(" | ")));
    }

    private static double mibPerSecond(List<long[]> transfers) {
        return transfers.stream().mapToLong(t -> t[1]).sum() / 1048576.0 / (transfers.stream().mapToLong(t -> t[0]).sum() / 1e9);
    }

    private static long[] sortedNanos(List<long[]> transfers) {
        return transfers.stream().mapToLong(t -> t[0]).sorted().toArray();
    }

    /** One PUT of a body; its time in nanoseconds. */
    private long putOne(AgentUnderTest agent, String bucket, String key, byte[] body) throws Exception {
        long start = System.nanoTime();
        var response = http.send(HttpRequest.newBuilder(objectUri(agent, bucket, key))
            .header("Content-Type", "application/octet-stream").PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
            HttpResponse.BodyHandlers.ofString());
        long nanos = System.nanoTime() - start;
        if (response.statusCode() != 201 && response.statusCode() != 200) {
            throw new IllegalStateException("PUT " + bucket + "/" + key + ": " + response.statusCode() + " " + response.body());
        }
        return nanos;
    }

    /** One GET of the whole file, its content hashed as it arrives; its time in nanoseconds. Throws unless it is the file's content. */
    private long getAndVerify(AgentUnderTest agent, String bucket, LargeFile file) throws Exception {
        long start = System.nanoTime();
        var response = http.send(HttpRequest.newBuilder(objectUri(agent, bucket, file.key())).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        MessageDigest sha = newSha256();
        long n = 0;
        try (var in = response.body()) {
            if (response.statusCode() != 200) {
                throw new IllegalStateException("GET " + bucket + "/" + file.key() + ": " + response.statusCode() + " "
                    + new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
            byte[] buffer = new byte[1 << 16];
            for (int r; (r = in.read(buffer)) >= 0; ) {
                sha.update(buffer, 0, r);
                n += r;
            }
        }
        long nanos = System.nanoTime() - start;
        String got = HexFormat.of().formatHex(sha.digest());
        if (n != file.body().length || !got.equals(file.sha256())) {
            throw new IllegalStateException("GET " + bucket + "/" + file.key() + " answered " + n + " bytes of SHA-256 " + got + ", not the "
                + file.body().length + " bytes of " + file.sha256() + " written");
        }
        return nanos;
    }

    private static URI objectUri(AgentUnderTest agent, String bucket, String key) {
        String path = Arrays.stream(key.split("/", -1)).map(s -> URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20"))
            .collect(Collectors.joining("/"));
        return URI.create(agent.base + "/v1/objects/" + bucket + "/" + path);
    }

    /** JIT and connection pools warm on both paths before anything is measured: 1,000 PUTs of 1-8 KiB, every second one a repeat. */
    private void warmUp(AgentUnderTest agent, String bucket, String prefix, long salt) {
        List<Put> puts = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            var random = new SplittableRandom(0x3a3aL + (salt << 20) + i / 2);
            byte[] body = new byte[random.nextInt(1024, 8192)];
            random.nextBytes(body);
            puts.add(new Put(prefix + i, body, i % 2 == 1));
        }
        write(agent, bucket, puts);
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
            long start = System.nanoTime();
            try {
                var response = http.send(HttpRequest.newBuilder(objectUri(agent, bucket, put.key()))
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

    private static final String SAVED = "kelp_dedup_saved_bytes";
    private static final String BLOCK_SAVED = "kelp_dedup_block_saved_bytes";

    /**
     * The agent's own figures for a bucket (gauges with a {@code bucket} tag), those read. Its
     * figures are refreshed in the background by a scrape that finds them over 30 s old, so: 35 s
     * since this agent's last scrape at least, one scrape to start the refresh, a pause for its
     * queries, then the reading.
     */
    private Map<String, Double> gauges(AgentUnderTest agent, String bucket, String... metrics) throws Exception {
        // Any scrape may have started a refresh, maybe before the last writes: wait until the figures it left are stale again.
        Long last = lastScrapeNanos.get(agent);
        if (last != null && System.nanoTime() - last < Duration.ofSeconds(35).toNanos()) {
            Thread.sleep(Duration.ofSeconds(35).minusNanos(System.nanoTime() - last));
        }
        scrape(agent);
        Thread.sleep(5000);
        Map<String, Double> found = new LinkedHashMap<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (found.size() < metrics.length && System.nanoTime() < deadline) {
            String body = scrape(agent);
            for (String metric : metrics) {
                Matcher m = Pattern.compile("(?m)^" + metric + "\\{[^}]*bucket=\"" + Pattern.quote(bucket) + "\"[^}]*\\} (\\S+)$").matcher(body);
                if (m.find() && !m.group(1).equals("NaN")) {
                    found.put(metric, Double.parseDouble(m.group(1)));
                }
            }
            if (found.size() < metrics.length) {
                Thread.sleep(250);
            }
        }
        return found;
    }

    /** A gauge's value as bytes, or why there is none. */
    private static String gaugeText(Double value) {
        return value == null ? "not read within 30 s (absent or NaN)" : bytes(value.longValue());
    }

    /** A counter of the agent's, all tags together ({@code kelp_dedup_block_chunks_total{outcome="stored"}}); 0 when absent. */
    private long counter(AgentUnderTest agent, String metric, String tag) throws Exception {
        Matcher m = Pattern.compile("(?m)^" + metric + "\\{[^}]*" + Pattern.quote(tag) + "[^}]*\\} (\\S+)$").matcher(scrape(agent));
        return m.find() ? (long) Double.parseDouble(m.group(1)) : 0;
    }

    private String scrape(AgentUnderTest agent) throws Exception {
        lastScrapeNanos.put(agent, System.nanoTime());
        return http.send(HttpRequest.newBuilder(URI.create(agent.base + "/prometheus")).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))] / 1e6;
    }

    private static String sha256(byte[] body) {
        return HexFormat.of().formatHex(newSha256().digest(body));
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
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
