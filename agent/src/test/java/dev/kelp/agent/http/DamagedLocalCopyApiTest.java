package dev.kelp.agent.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kelp.agent.object.ContentHash;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A copy on the fallback volume damaged behind the agent's back (the disk keeps no checksum)
 * is never served as the object: a whole read is cut short before its last bytes, which the
 * client reports as an error, or for a small object answered 500 BlobCorrupt, every time it
 * is asked; an undamaged object reads as before.
 */
class DamagedLocalCopyApiTest {

    @TempDir
    static Path dir;
    static EmbeddedServer server;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        server = ApplicationContext.run(EmbeddedServer.class, Map.of(
            "micronaut.server.port", -1,
            "kelp.fallback.dir", dir.toString(),
            "kelp.storage.buckets", List.of("photos")));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aDamagedCopyFailsEveryWholeReadAndAnIntactOneReadsAsWritten() throws Exception {
        // Above the small-object cache's 256 KiB, so every read comes from the disk.
        byte[] damaged = random(300 * 1024, 1);
        byte[] intact = random(300 * 1024, 2);
        put("photos/damaged.jpg", damaged);
        put("photos/intact.jpg", intact);
        Path copy = dir.resolve("blobs/photos").resolve(ContentHash.ofBytes(damaged).shardedPath());
        try (FileChannel channel = FileChannel.open(copy, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(new byte[] {(byte) ~damaged[5000]}), 5000);
        }

        for (int attempt = 0; attempt < 2; attempt++) {
            assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(uri("photos/damaged.jpg")).build(), BodyHandlers.ofByteArray()))
                .as("GET %d of the damaged object", attempt).isInstanceOf(IOException.class);
        }
        var read = http.send(HttpRequest.newBuilder(uri("photos/intact.jpg")).build(), BodyHandlers.ofByteArray());
        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(read.body()).isEqualTo(intact);
    }

    @Test
    void aDamagedSmallObjectIsA500BlobCorruptBeforeAnyByteIsSent() throws Exception {
        // Small enough to be read whole before the response starts (and for the memory cache,
        // which must not keep the damaged bytes either).
        byte[] small = random(20 * 1024, 3);
        put("photos/small.jpg", small);
        Path copy = dir.resolve("blobs/photos").resolve(ContentHash.ofBytes(small).shardedPath());
        try (FileChannel channel = FileChannel.open(copy, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(new byte[] {(byte) ~small[7]}), 7);
        }

        for (int attempt = 0; attempt < 2; attempt++) {
            var read = http.send(HttpRequest.newBuilder(uri("photos/small.jpg")).build(), BodyHandlers.ofString());
            assertThat(read.statusCode()).as("GET %d: %s", attempt, read.body()).isEqualTo(500);
            assertThat(read.body()).contains("BlobCorrupt").contains("damaged");
        }
    }

    private static void put(String path, byte[] body) throws Exception {
        var response = http.send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "image/jpeg")
            .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(), BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    }

    private static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.getPort() + "/v1/objects/" + path);
    }

    private static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
