package dev.kelp.bench.backup;

import dev.kelp.bench.AgentUnderTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Issue 7's backup benchmark, one run: the agent's backup of a bucket against a plain copy of
 * the same bytes between two SeaweedFS buckets with the same SDK at the same concurrency
 * (client-side GET + PUT, the work a backup does, and server-side CopyObject, what `aws s3
 * sync` does between buckets), then an incremental backup of unchanged data, then the restore
 * of every object into an empty bucket. Prints a Markdown report; run it with
 * scripts/bench-backup, which starts SeaweedFS and PostgreSQL.
 */
public final class BackupBench {

    private static final Pattern FIELD = Pattern.compile("\"(\\w+)\":(\"[^\"]*\"|[^,}]+)");
    private static final int CONCURRENCY = 8;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<String> report = new ArrayList<>();
    private final int objects;

    private BackupBench(int objects) {
        this.objects = objects;
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: BackupBench <agent jar> <work dir> [--objects N]");
            System.exit(2);
        }
        int objects = args.length > 3 && args[2].equals("--objects") ? Integer.parseInt(args[3]) : 10_000;
        new BackupBench(objects).run(Path.of(args[0]), Path.of(args[1]));
    }

    private void run(Path jar, Path work) throws Exception {
        Files.createDirectories(work);
        String stamp = Long.toString(System.currentTimeMillis(), 36);
        String source = "bb-src-" + stamp;
        String restored = "bb-restored-" + stamp;
        String backups = "bb-backups-" + stamp;
        String plain = "bb-plain-" + stamp;
        String serverSide = "bb-copy-" + stamp;
        Path config = work.resolve("kelp-agent.yml");
        Files.writeString(config, """
            kelp:
              storage:
                buckets: [%s, %s]
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
              backups:
                concurrency: %d
                schedules:
                  - name: bench
                    schedule: 0 0 1 1 *
                    target: {bucket: %s}
            micronaut:
              server:
                port: 18790
            """.formatted(source, restored, work.resolve("fallback"), env("KELP_S3_ENDPOINT"), env("KELP_S3_REGION"),
            env("KELP_S3_ACCESS_KEY"), env("KELP_S3_SECRET_KEY"), env("KELP_PG_URL"), env("KELP_PG_USER"), env("KELP_PG_PASSWORD"),
            CONCURRENCY, backups));
        try (var s3 = S3Client.builder().endpointOverride(URI.create(env("KELP_S3_ENDPOINT"))).region(Region.of(env("KELP_S3_REGION")))
                 .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(env("KELP_S3_ACCESS_KEY"), env("KELP_S3_SECRET_KEY"))))
                 .forcePathStyle(true).requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                 .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                 .httpClient(ApacheHttpClient.builder().maxConnections(64).build()).build();
             var agent = new AgentUnderTest(jar, config, 18790, work.resolve("agent.log"))) {
            long bytes = write(agent, source);
            await(() -> pending(agent) == 0, Duration.ofMinutes(10));
            line("## Backup and restore (%s): %,d objects, %.1f MiB, concurrency %d on both sides", Instant.now(), objects, bytes / 1048576.0, CONCURRENCY);
            line("");
            line("| what | time | MiB/s | the agent's backup vs this (throughput ratio) |");
            line("| --- | ---: | ---: | ---: |");

            var backup = timed(() -> post(agent, "/v1/backups/bench", null));
            var first = fields(backup.result);
            require("Succeeded".equals(first.get("phase")), "first backup: " + backup.result);

            s3.createBucket(b -> b.bucket(plain));
            s3.createBucket(b -> b.bucket(serverSide));
            var keys = s3.listObjectsV2Paginator(b -> b.bucket(source)).contents().stream().map(S3Object::key).toList();
            var clientCopy = timed(() -> parallel(keys, key -> s3.putObject(b -> b.bucket(plain).key(key),
                RequestBody.fromBytes(s3.getObjectAsBytes(g -> g.bucket(source).key(key)).asByteArray()))));
            var serverCopy = timed(() -> parallel(keys, key -> s3.copyObject(c -> c.sourceBucket(source).sourceKey(key)
                .destinationBucket(serverSide).destinationKey(key))));
            long copied = Long.parseLong(first.get("uploadedBytes"));
            row("agent backup (" + first.get("uploadedBlobs") + " blobs, snapshot and manifest included)", backup.seconds, copied, backup.seconds);
            row("plain copy, client-side GET + PUT (" + keys.size() + " objects)", clientCopy.seconds, copied, backup.seconds);
            row("plain copy, server-side CopyObject", serverCopy.seconds, copied, backup.seconds);

            var again = timed(() -> post(agent, "/v1/backups/bench", null));
            var second = fields(again.result);
            require("Succeeded".equals(second.get("phase")), "second backup: " + again.result);
            line("| incremental backup, nothing changed (%s blobs copied) | %.2f s | | |", second.get("uploadedBlobs"), again.seconds);

            var restore = timed(() -> {
                var started = fields(post(agent, "/v1/restores", "{\"schedule\":\"bench\",\"bucket\":\"" + source + "\",\"targetBucket\":\"" + restored + "\"}"));
                var done = new String[1];
                await(() -> {
                    done[0] = get(agent, "/v1/restores/" + started.get("id"));
                    return !done[0].contains("\"phase\":\"Running\"");
                }, Duration.ofMinutes(30));
                return done[0];
            });
            var restoredFields = fields(restore.result);
            require("Succeeded".equals(restoredFields.get("phase")), "restore: " + restore.result);
            row("restore of all " + restoredFields.get("objects") + " objects into an empty bucket", restore.seconds, bytes, backup.seconds);
            line("");
            line("Load average after: %s", Files.readString(Path.of("/proc/loadavg")).trim());
        }
        Files.write(work.resolve("report.md"), report);
    }

    /** Writes the data set through the agent: mostly small files of 1-64 KiB, one in 200 of 4 MiB. */
    private long write(AgentUnderTest agent, String bucket) throws Exception {
        var total = new AtomicLong();
        parallel(java.util.stream.IntStream.range(0, objects).boxed().toList(), i -> {
            var random = new SplittableRandom(0xbac0L + i);
            int size = i % 200 == 0 ? 4 << 20 : random.nextInt(1024, 64 * 1024);
            byte[] body = new byte[size];
            random.nextBytes(body);
            try {
                var response = http.send(HttpRequest.newBuilder(URI.create(agent.base + "/v1/objects/" + bucket + "/data/" + (i % 100) + "/file-" + i))
                    .header("Content-Type", "application/octet-stream").PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
                require(response.statusCode() == 201, response.body());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            total.addAndGet(size);
        });
        return total.get();
    }

    private static <T> Void parallel(List<T> items, java.util.function.Consumer<T> each) {
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
        var permits = new Semaphore(CONCURRENCY);
        var failure = new java.util.concurrent.atomic.AtomicReference<Throwable>();
        for (T item : items) {
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
        return null;
    }

    private record Timed<T>(T result, double seconds) {
    }

    private static <T> Timed<T> timed(java.util.concurrent.Callable<T> work) throws Exception {
        long t = System.nanoTime();
        T result = work.call();
        return new Timed<>(result, (System.nanoTime() - t) / 1e9);
    }

    private void row(String what, double seconds, long bytes, double backupSeconds) {
        line("| %s | %.2f s | %.1f | %.2f× |", what, seconds, bytes / 1048576.0 / seconds, seconds / backupSeconds);
    }

    private long pending(AgentUnderTest agent) throws Exception {
        Matcher m = Pattern.compile("\"pending\":\\{\"objects\":(\\d+)").matcher(get(agent, "/v1/mode"));
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    private String get(AgentUnderTest agent, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(agent.base + path)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private String post(AgentUnderTest agent, String path, String json) throws Exception {
        var request = HttpRequest.newBuilder(URI.create(agent.base + path)).timeout(Duration.ofHours(1));
        request = json == null ? request.POST(HttpRequest.BodyPublishers.noBody())
            : request.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static void await(java.util.concurrent.Callable<Boolean> done, Duration atMost) throws Exception {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (!done.call()) {
            require(System.nanoTime() < deadline, "timed out after " + atMost);
            Thread.sleep(200);
        }
    }

    private static java.util.Map<String, String> fields(String json) {
        var out = new java.util.HashMap<String, String>();
        FIELD.matcher(json).results().forEach(m -> out.putIfAbsent(m.group(1), m.group(2).replaceAll("^\"|\"$", "")));
        return out;
    }

    private static void require(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException(what);
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
            throw new IllegalStateException(name + " is not set: run this through scripts/bench-backup");
        }
        return value;
    }
}
