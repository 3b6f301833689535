package dev.kelp.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.agent.object.ContentHash;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The native API on the embedded default with encryption at rest on: single PUTs (small ones
 * served from the cache, large ones streamed), Range reads, dedup, and a multipart upload all
 * come back byte for byte, while every blob on the fallback volume is encrypted.
 */
class EncryptedObjectApiTest {

    private static final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    static Path dir;
    static EmbeddedServer server;

    @BeforeAll
    static void start() {
        byte[] key = new byte[32];
        new Random(5).nextBytes(key);
        server = ApplicationContext.run(EmbeddedServer.class, Map.of(
            "micronaut.server.port", -1,
            "kelp.fallback.dir", dir.toString(),
            "kelp.storage.buckets", List.of("media"),
            "kelp.storage.allowed-content-types", List.of("application/octet-stream"),
            "kelp.encryption.enabled", true,
            "kelp.encryption.key", Base64.getEncoder().encodeToString(key)));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static URI uri(String key) {
        return URI.create("http://127.0.0.1:" + server.getPort() + "/v1/objects/media/" + key);
    }

    private static int put(String key, byte[] body) throws Exception {
        var response = http.send(HttpRequest.newBuilder(uri(key)).header("Content-Type", "application/octet-stream")
            .PUT(BodyPublishers.ofByteArray(body)).build(), BodyHandlers.ofString());
        assertThat(response.statusCode()).as("PUT %s: %s", key, response.body()).isEqualTo(201);
        return response.statusCode();
    }

    private static byte[] get(String key, String range) throws Exception {
        var b = HttpRequest.newBuilder(uri(key));
        if (range != null) {
            b.header("Range", range);
        }
        var response = http.send(b.build(), BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).isEqualTo(range == null ? 200 : 206);
        return response.body();
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static List<Path> blobFiles() throws Exception {
        try (Stream<Path> files = Files.walk(dir.resolve("blobs"))) {
            return files.filter(Files::isRegularFile).toList();
        }
    }

    @Test
    void objectsRoundTripWholeAndInRangesAndAreStoredEncryptedOnce() throws Exception {
        byte[] small = random(3000, 1);
        byte[] large = random(5 * 1024 * 1024 + 77, 2);
        assertThat(put("small.bin", small)).isEqualTo(201);
        assertThat(put("large.bin", large)).isEqualTo(201);
        assertThat(put("large-again.bin", large)).isEqualTo(201);

        assertThat(get("small.bin", null)).isEqualTo(small);
        assertThat(get("small.bin", null)).as("from the cache").isEqualTo(small);
        assertThat(get("small.bin", "bytes=100-199")).isEqualTo(Arrays.copyOfRange(small, 100, 200));
        assertThat(get("large.bin", null)).isEqualTo(large);
        assertThat(get("large-again.bin", "bytes=65530-200000")).isEqualTo(Arrays.copyOfRange(large, 65530, 200001));
        assertThat(get("large.bin", "bytes=-10")).isEqualTo(Arrays.copyOfRange(large, large.length - 10, large.length));

        String largeBlob = ContentHash.ofBytes(large).hex() + ".enc";
        assertThat(blobFiles()).extracting(p -> p.getFileName().toString()).allMatch(n -> n.endsWith(".enc"))
            .filteredOn(largeBlob::equals).as("identical content stored once").hasSize(1);
        for (Path blob : blobFiles()) {
            byte[] raw = Files.readAllBytes(blob);
            assertThat(indexOf(raw, Arrays.copyOfRange(large, 70_000, 70_032))).isEqualTo(-1);
            assertThat(indexOf(raw, Arrays.copyOfRange(small, 10, 42))).isEqualTo(-1);
        }
    }

    @Test
    void aCompletedMultipartUploadIsStoredEncryptedAndReadsBack() throws Exception {
        var c = new MultipartApiTest.Client(server);
        String id = c.initiated("media/assembled.bin", "Content-Type", "application/octet-stream");
        byte[] one = random(5 * 1024 * 1024, 3);
        byte[] two = random(1234, 4);
        String e1 = c.partEtag(id, 1, one);
        String e2 = c.partEtag(id, 2, two);
        var completed = c.complete(id, MultipartApiTest.partList(1, e1, 2, e2));
        assertThat(completed.statusCode()).as(completed.body()).isEqualTo(201);

        byte[] whole = new byte[one.length + two.length];
        System.arraycopy(one, 0, whole, 0, one.length);
        System.arraycopy(two, 0, whole, one.length, two.length);
        assertThat(get("assembled.bin", null)).isEqualTo(whole);
        assertThat(get("assembled.bin", "bytes=" + (one.length - 5) + "-" + (one.length + 5)))
            .isEqualTo(Arrays.copyOfRange(whole, one.length - 5, one.length + 6));
        Path blob = dir.resolve("blobs/media/" + ContentHash.ofBytes(whole).shardedPath() + ".enc");
        assertThat(indexOf(Files.readAllBytes(blob), Arrays.copyOfRange(one, 1000, 1032))).isEqualTo(-1);
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
