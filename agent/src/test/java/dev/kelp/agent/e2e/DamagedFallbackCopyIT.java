package dev.kelp.agent.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kelp.agent.object.ContentHash;
import dev.kelp.agent.provingground.SeaweedFsClients;
import dev.kelp.testkit.ProvingGround;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * Copies on the fallback volume damaged while SeaweedFS was out of reach (a disk fault): when
 * the drain comes to them, SeaweedFS refuses their bytes (they no longer hash to their name).
 * One whose content SeaweedFS already holds, put there by another agent of the fleet, is simply
 * released; the other is lost, and the agent says so: quarantined, counted, logged, the queue
 * emptied all the same, and its object answers BlobMissing instead of wrong bytes. The
 * undamaged ones sync byte for byte.
 */
class DamagedFallbackCopyIT {

    private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Pattern DAMAGED = Pattern.compile("^kelp_sync_damaged_total\\{?[^ ]*\\s+([0-9.E+]+)$", Pattern.MULTILINE);
    private static final int OBJECTS = 4;

    private final String bucket = "damaged-" + Long.toString(System.nanoTime(), 36);
    private AgentProcess agent;
    private TcpGate gate;

    @AfterEach
    void cleanUp() throws Exception {
        if (agent != null) {
            agent.close();
        }
        if (gate != null) {
            gate.close();
        }
    }

    @Test
    void aDamagedCopyIsReleasedWhenSeaweedFsHoldsItsContentAndQuarantinedAsLostWhenNot() throws Exception {
        URI s3 = URI.create(ProvingGround.require("KELP_S3_ENDPOINT"));
        gate = new TcpGate(s3.getHost(), s3.getPort());
        Path work = Files.createTempDirectory("kelp-damaged-copy");
        Path fallback = work.resolve("fallback");
        agent = AgentProcess.start(work, ProvingGroundConfig.render(fallback, List.of(bucket))
            .replace(s3.toString(), "http://127.0.0.1:" + gate.port()));
        agent.awaitMode("FALLBACK", Duration.ofSeconds(30));
        for (int i = 0; i < OBJECTS; i++) {
            var put = http.send(HttpRequest.newBuilder(uri(i)).header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body(i))).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(put.statusCode()).as("PUT %d while SeaweedFS is out of reach: %s", i, put.body()).isEqualTo(201);
        }
        ContentHash lost = ContentHash.ofBytes(body(0));
        ContentHash heldElsewhere = ContentHash.ofBytes(body(1));
        flipOneByte(fallback.resolve("blobs").resolve(bucket).resolve(lost.shardedPath()));
        flipOneByte(fallback.resolve("blobs").resolve(bucket).resolve(heldElsewhere.shardedPath()));
        try (S3Client direct = SeaweedFsClients.direct()) {
            direct.createBucket(b -> b.bucket(bucket));
            direct.putObject(b -> b.bucket(bucket).key(blobKey(heldElsewhere)), RequestBody.fromBytes(body(1)));

            gate.open();
            agent.awaitDrained(Duration.ofSeconds(60));

            assertThat(damagedCount()).as("copies found damaged with no good copy on SeaweedFS").isEqualTo(1);
            assertThat(agent.log()).contains("content lost").contains(lost.hex());
            assertThatThrownBy(() -> direct.headObject(b -> b.bucket(bucket).key(blobKey(lost))))
                .as("nothing stored on SeaweedFS under the lost blob's name").isInstanceOf(NoSuchKeyException.class);
            Path aside = fallback.resolve("quarantine").resolve(bucket).resolve(lost.hex());
            assertThat(aside).as("the damaged copy, kept for a person").isRegularFile();
            assertThat(ContentHash.ofBytes(Files.readAllBytes(aside))).isNotEqualTo(lost);

            var gone = http.send(HttpRequest.newBuilder(uri(0)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(gone.statusCode()).as("GET of the lost object: %s", gone.body()).isEqualTo(500);
            assertThat(gone.body()).contains("BlobMissing");

            for (int i = 1; i < OBJECTS; i++) {
                ContentHash hash = ContentHash.ofBytes(body(i));
                byte[] stored = direct.getObjectAsBytes(b -> b.bucket(bucket).key(blobKey(hash))).asByteArray();
                assertThat(ContentHash.ofBytes(stored)).as("object %d on SeaweedFS", i).isEqualTo(hash);
                var get = http.send(HttpRequest.newBuilder(uri(i)).build(), HttpResponse.BodyHandlers.ofByteArray());
                assertThat(get.statusCode()).isEqualTo(200);
                assertThat(ContentHash.ofBytes(get.body())).as("object %d through the agent", i).isEqualTo(hash);
            }
        }
        try (var left = Files.walk(fallback.resolve("blobs"))) {
            assertThat(left.filter(Files::isRegularFile).toList()).as("no copy left on the fallback volume").isEmpty();
        }
    }

    private static void flipOneByte(Path file) throws Exception {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            var one = ByteBuffer.allocate(1);
            channel.read(one, 4096);
            channel.write(ByteBuffer.wrap(new byte[] {(byte) ~one.get(0)}), 4096);
            channel.force(true);
        }
    }

    private double damagedCount() throws Exception {
        String page = http.send(HttpRequest.newBuilder(URI.create(agent.baseUrl() + "/prometheus")).build(),
            HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = DAMAGED.matcher(page);
        assertThat(m.find()).as("kelp_sync_damaged_total on the Prometheus page").isTrue();
        return Double.parseDouble(m.group(1));
    }

    private static String blobKey(ContentHash hash) {
        return "blobs/" + hash.shardedPath();
    }

    private static byte[] body(int i) {
        byte[] body = new byte[256 * 1024];
        new SplittableRandom(i * 131L + 3).nextBytes(body);
        return body;
    }

    private URI uri(int i) {
        return URI.create(agent.baseUrl() + "/v1/objects/" + bucket + "/damaged/" + i + ".bin");
    }
}
