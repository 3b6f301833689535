package dev.kelp.agent.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.kelp.testkit.FreePorts;
import dev.kelp.testkit.ProvingGround;
import io.micronaut.context.ApplicationContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.Tag;

/**
 * Object tagging while the proving ground's real PostgreSQL is stopped: tag writes through the
 * S3 endpoint (aws-sdk-java-v2) are acknowledged from the local journal, read back during the
 * outage, and once PostgreSQL is back are in it exactly once: the last tag set of each object,
 * no version made by tagging, one applied_journal row per journaled write.
 *
 * Stops the instance {@code postgres.sh} controls with this JVM's environment and starts it
 * again: next to other work, give it a private proving ground (KELP_RUN, KELP_PG_PORT).
 */
class S3TaggingOutageIT {

    private static final String BUCKET = "tag-outage";
    private static final String KEY_ID = "AKIDKELPTAGOUTAGE";
    private static final String SECRET = "tag-outage-secret";

    @TempDir
    Path fallbackDir;

    ProvingGround.Service postgres;
    String serverUrl;
    String databaseUrl;
    ApplicationContext context;
    S3Client s3;

    @BeforeEach
    void start() throws Exception {
        postgres = ProvingGround.service("postgres");
        postgres.start();
        serverUrl = ProvingGround.require("KELP_PG_URL");
        String name = "kelp_tagoutage_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = connect(serverUrl); var st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        }
        databaseUrl = serverUrl.replaceFirst("/[^/?]+(\\?|$)", "/" + name + "$1");
        int port = FreePorts.take();
        context = ApplicationContext.run(Map.of(
            "kelp.fallback.dir", fallbackDir.toString(),
            "kelp.storage.buckets", List.of(BUCKET),
            "kelp.metadata.url", databaseUrl,
            "kelp.metadata.username", ProvingGround.require("KELP_PG_USER"),
            "kelp.metadata.password", ProvingGround.require("KELP_PG_PASSWORD"),
            "kelp.metadata.probe-interval", "500ms",
            "kelp.s3.port", port,
            "kelp.s3.access-key-id", KEY_ID,
            "kelp.s3.secret-access-key", SECRET));
        s3 = S3SdkClients.onLoopback(port, KEY_ID, SECRET);
    }

    @AfterEach
    void stop() throws Exception {
        // The other ITs of this run share the instance: it must be up when this class is done.
        postgres.start();
        if (s3 != null) {
            s3.close();
        }
        if (context != null) {
            context.close();
        }
        try (Connection c = connect(serverUrl); var st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + databaseUrl.replaceFirst("^.*/([^/?]+)(\\?.*)?$", "$1") + " WITH (FORCE)");
        }
    }

    private static Connection connect(String url) throws Exception {
        return DriverManager.getConnection(url, ProvingGround.require("KELP_PG_USER"), ProvingGround.require("KELP_PG_PASSWORD"));
    }

    private static Tag tag(String key, String value) {
        return Tag.builder().key(key).value(value).build();
    }

    private List<Tag> tagsOf(String key) {
        return s3.getObjectTagging(b -> b.bucket(BUCKET).key(key)).tagSet();
    }

    @Test
    void tagWritesAcknowledgedDuringAnOutageAreInPostgresExactlyOnceAfterwards() throws Exception {
        s3.putObject(b -> b.bucket(BUCKET).key("before.txt").tagging("phase=before"), RequestBody.fromString("written before"));
        s3.putObject(b -> b.bucket(BUCKET).key("untagged-later.txt").tagging("drop=me"), RequestBody.fromString("tags go away"));
        assertThat(tagsOf("before.txt")).containsExactly(tag("phase", "before"));

        postgres.stop();
        long stopped = System.nanoTime();
        // Three tag writes and a tagged put, each acknowledged while PostgreSQL is down.
        s3.putObjectTagging(b -> b.bucket(BUCKET).key("before.txt").tagging(t -> t.tagSet(tag("phase", "outage"), tag("seen", "yes"))));
        s3.putObject(b -> b.bucket(BUCKET).key("during.txt").tagging("made=outage"), RequestBody.fromString("written during"));
        s3.putObjectTagging(b -> b.bucket(BUCKET).key("during.txt").tagging(t -> t.tagSet(tag("made", "outage"), tag("step", "2"))));
        s3.deleteObjectTagging(b -> b.bucket(BUCKET).key("untagged-later.txt"));
        long acknowledgedMillis = (System.nanoTime() - stopped) / 1_000_000;

        // Read back during the outage.
        assertThat(tagsOf("before.txt")).containsExactly(tag("phase", "outage"), tag("seen", "yes"));
        assertThat(tagsOf("during.txt")).containsExactly(tag("made", "outage"), tag("step", "2"));
        assertThat(tagsOf("untagged-later.txt")).isEmpty();
        assertThat(s3.headObject(b -> b.bucket(BUCKET).key("during.txt")).tagCount()).isEqualTo(2);
        assertThat(journalFiles()).isEqualTo(4);
        // A key this agent never saw cannot be judged without PostgreSQL: 503, and nothing journaled.
        assertThatThrownBy(() -> s3.putObjectTagging(b -> b.bucket(BUCKET).key("never-seen.txt").tagging(t -> t.tagSet(tag("a", "b")))))
            .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(503));
        // A bad tag set is refused before PostgreSQL is needed, and journals nothing either.
        assertThatThrownBy(() -> s3.putObjectTagging(b -> b.bucket(BUCKET).key("before.txt").tagging(t -> t.tagSet(tag("x", "1"), tag("x", "2")))))
            .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidTag"));
        assertThat(journalFiles()).isEqualTo(4);

        postgres.start();
        long started = System.nanoTime();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> journalFiles() == 0);
        System.out.printf("tagging outage: 4 writes acknowledged in %d ms with PostgreSQL stopped; journal replayed %d ms after it started%n",
            acknowledgedMillis, (System.nanoTime() - started) / 1_000_000);

        try (Connection c = connect(databaseUrl); var st = c.createStatement()) {
            Map<String, String> tags = new HashMap<>();
            try (var rs = st.executeQuery("SELECT object_key, tags FROM object_versions WHERE bucket = '" + BUCKET + "'")) {
                while (rs.next()) {
                    assertThat(tags.put(rs.getString(1), String.valueOf(rs.getString(2)))).as("one version of %s", rs.getString(1)).isNull();
                }
            }
            assertThat(tags).containsOnly(
                Map.entry("before.txt", "{\"phase\":\"outage\",\"seen\":\"yes\"}"),
                Map.entry("during.txt", "{\"made\":\"outage\",\"step\":\"2\"}"),
                Map.entry("untagged-later.txt", "null"));
            try (var rs = st.executeQuery("SELECT COUNT(*) FROM applied_journal")) {
                rs.next();
                assertThat(rs.getLong(1)).as("each journaled write applied once").isEqualTo(4);
            }
            try (var rs = st.executeQuery("SELECT SUM(objects) FROM bucket_usage WHERE bucket = '" + BUCKET + "'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getLong(1)).isEqualTo(3);
            }
        }
        assertThat(tagsOf("before.txt")).containsExactly(tag("phase", "outage"), tag("seen", "yes"));
        assertThat(tagsOf("during.txt")).containsExactly(tag("made", "outage"), tag("step", "2"));
        assertThat(s3.getObjectAsBytes(b -> b.bucket(BUCKET).key("during.txt")).asUtf8String()).isEqualTo("written during");
    }

    private long journalFiles() throws Exception {
        try (Stream<Path> files = Files.list(fallbackDir.resolve("metadata-journal"))) {
            return files.filter(p -> p.getFileName().toString().endsWith(".json")).count();
        }
    }
}
