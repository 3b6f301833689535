package dev.kelp.agent.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.agent.object.ContentHash;
import dev.kelp.testkit.ProvingGround;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The disk cache against the real SeaweedFS: objects written, the agent restarted (which
 * empties the cache), each read once from SeaweedFS and copied on the way, then SeaweedFS
 * killed: the copies serve every one of them byte for byte, while an object never read since
 * the restart is a clear 503. Objects are larger than the in-memory small-object cache takes,
 * so what serves them is the disk.
 */
class DiskCacheIT {

    private static final String BUCKET = "disk-cache-" + Long.toString(System.currentTimeMillis(), 36);
    private static final int READ = 12;
    private static final int UNREAD = 3;
    private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ProvingGround.Service seaweedfs = ProvingGround.service("seaweedfs");
    private static final Pattern SAMPLE = Pattern.compile("^(kelp_cache_disk_[a-z_]+)\\{?[^ ]*\\s+([0-9.E+]+)$", Pattern.MULTILINE);

    private static Path work;
    private static String config;
    private static AgentProcess agent;

    @BeforeAll
    static void startAgent() throws Exception {
        work = Files.createTempDirectory("kelp-disk-cache-it");
        config = ProvingGroundConfig.render(work.resolve("fallback"), List.of(BUCKET))
            + "  cache:\n    disk:\n      max-bytes: 256MiB\n";
        agent = AgentProcess.start(work, config);
    }

    @AfterAll
    static void stopAgent() throws Exception {
        if (!seaweedfs.healthy()) {
            seaweedfs.start();
        }
        if (agent != null) {
            agent.close();
        }
    }

    @Test
    void copiesMadeWhileReadingServeEveryReadObjectOnceSeaweedFsIsGone() throws Exception {
        var hashes = new ArrayList<ContentHash>();
        for (int i = 0; i < READ + UNREAD; i++) {
            byte[] body = body(i);
            hashes.add(ContentHash.ofBytes(body));
            var put = http.send(HttpRequest.newBuilder(uri(i)).header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
        }
        agent.awaitDrained(Duration.ofSeconds(60));

        int port = agent.port();
        agent.close();
        agent = AgentProcess.start(work, config, port);
        assertThat(metric("kelp_cache_disk_bytes")).as("every start empties the cache").isZero();

        for (int i = 0; i < READ; i++) {
            var get = http.send(HttpRequest.newBuilder(uri(i)).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(get.statusCode()).isEqualTo(200);
            assertThat(ContentHash.ofBytes(get.body())).isEqualTo(hashes.get(i));
        }
        // Copies are checked (SHA-256) on a thread of their own after the read: give it a moment.
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (metric("kelp_cache_disk_fills_total") < READ && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(metric("kelp_cache_disk_fills_total")).as("one copy per object read from SeaweedFS").isEqualTo(READ);
        assertThat(metric("kelp_cache_disk_bytes")).isPositive();

        seaweedfs.kill();
        for (int i = 0; i < READ; i++) {
            var get = http.send(HttpRequest.newBuilder(uri(i)).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(get.statusCode()).as("GET object %d with SeaweedFS down", i).isEqualTo(200);
            assertThat(ContentHash.ofBytes(get.body())).as("bytes of object %d, from the disk cache", i).isEqualTo(hashes.get(i));
        }
        assertThat(metric("kelp_cache_disk_hits_total")).isGreaterThanOrEqualTo(READ);
        for (int i = READ; i < READ + UNREAD; i++) {
            var get = http.send(HttpRequest.newBuilder(uri(i)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(get.statusCode()).as("GET object %d, never read since the restart: %s", i, get.body()).isEqualTo(503);
        }
        agent.awaitMode("FALLBACK", Duration.ofSeconds(30));
    }

    /** 300 KiB to 2 MiB: above the small-object cache's 256 KiB, so the memory cache never holds them. */
    private static byte[] body(int i) {
        var random = new SplittableRandom(0x6469736bL * 31 + i);
        byte[] bytes = new byte[random.nextInt(300 * 1024, 2 * 1024 * 1024)];
        random.nextBytes(bytes);
        return bytes;
    }

    private static URI uri(int i) {
        return URI.create(agent.baseUrl() + "/v1/objects/" + BUCKET + "/cached/object-" + i + ".bin");
    }

    /** One sample of the agent's Prometheus page, summed over its tags. */
    private static double metric(String name) throws Exception {
        String page = http.send(HttpRequest.newBuilder(URI.create(agent.baseUrl() + "/prometheus")).build(),
            HttpResponse.BodyHandlers.ofString()).body();
        double sum = 0;
        boolean seen = false;
        for (Matcher m = SAMPLE.matcher(page); m.find(); ) {
            if (m.group(1).equals(name)) {
                sum += Double.parseDouble(m.group(2));
                seen = true;
            }
        }
        assertThat(seen).as("%s on the Prometheus page", name).isTrue();
        return sum;
    }
}
