package dev.kelp.agent.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.agent.object.ContentHash;
import dev.kelp.agent.provingground.SeaweedFsClients;
import dev.kelp.testkit.FreePorts;
import dev.kelp.testkit.ProvingGround;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The sample app of examples/ecards, run as its Deployment runs it (python3 app.py) beside the
 * packaged agent on the proving ground: what an app developer's code does through the sidecar
 * works, large images go up in parts, and the content lands on SeaweedFS byte for byte.
 */
class EcardsSampleIT {

    private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static AgentProcess agent;
    private static Process app;
    private static String base;
    private static Path work;

    @BeforeAll
    static void startAgentAndApp() throws Exception {
        work = Files.createTempDirectory("kelp-ecards-it");
        agent = AgentProcess.start(work, ProvingGroundConfig.render(work.resolve("fallback"), List.of("templates", "backgrounds")));
        int port = FreePorts.take();
        var builder = new ProcessBuilder("python3", ProvingGround.repoRoot().resolve("examples/ecards/app.py").toString())
            .redirectErrorStream(true).redirectOutput(work.resolve("ecards.log").toFile());
        builder.environment().put("KELP_AGENT_URL", agent.baseUrl());
        builder.environment().put("ECARDS_PORT", Integer.toString(port));
        builder.environment().put("ECARDS_PART_SIZE", Integer.toString(1 << 20));
        app = builder.start();
        base = "http://127.0.0.1:" + port;
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            try {
                if (get("/healthz").statusCode() == 200) {
                    break;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            assertThat(System.nanoTime()).as("the sample app answers /healthz: %s", Files.readString(work.resolve("ecards.log"))).isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (app != null) {
            app.destroy();
            app.waitFor(10, TimeUnit.SECONDS);
        }
        if (agent != null) {
            agent.close();
        }
    }

    @Test
    void templatesAreStoredListedAndReadBack() throws Exception {
        String template = "{\"title\":\"Happy birthday\",\"font\":\"serif\",\"background\":\"balloons.png\"}";
        assertThat(put("/templates/birthday", "application/json", template.getBytes()).statusCode()).isEqualTo(201);

        assertThat(get("/templates/birthday").body()).isEqualTo(template);
        assertThat(get("/templates").body()).contains("\"birthday\"");
    }

    @Test
    void aTemplateThatIsNotJsonIsRefusedAndNothingIsStored() throws Exception {
        assertThat(put("/templates/broken", "application/json", "{not json".getBytes()).statusCode()).isEqualTo(400);
        assertThat(get("/templates/broken").statusCode()).as("the agent's 404 passes through").isEqualTo(404);
    }

    @Test
    void backgroundsSmallAndLargeRoundTripAndReachSeaweedFsByteForByte() throws Exception {
        byte[] small = image(64 * 1024, 1);
        byte[] large = image((3 << 20) + 12345, 2);   // over ECARDS_PART_SIZE: a multipart upload
        assertThat(put("/backgrounds/stars.png", "image/png", small).statusCode()).isEqualTo(201);
        assertThat(put("/backgrounds/sunset.jpg", "image/jpeg", large).statusCode()).isEqualTo(201);

        for (var pair : List.of(new Object[] {"stars.png", small}, new Object[] {"sunset.jpg", large})) {
            var read = http.send(HttpRequest.newBuilder(URI.create(base + "/backgrounds/" + pair[0])).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(read.statusCode()).isEqualTo(200);
            assertThat(ContentHash.ofBytes(read.body())).isEqualTo(ContentHash.ofBytes((byte[]) pair[1]));
        }
        try (S3Client s3 = SeaweedFsClients.direct()) {
            ContentHash hash = ContentHash.ofBytes(large);
            byte[] stored = s3.getObjectAsBytes(b -> b.bucket("backgrounds").key("blobs/" + hash.shardedPath())).asByteArray();
            assertThat(ContentHash.ofBytes(stored)).as("the large background on SeaweedFS").isEqualTo(hash);
        }
    }

    @Test
    void aBackgroundLinkIsASignedUrlAnyoneCanFetch() throws Exception {
        byte[] png = image(10_000, 3);
        assertThat(put("/backgrounds/share.png", "image/png", png).statusCode()).isEqualTo(201);

        String link = get("/backgrounds/share.png/link").body();
        String url = link.replaceAll(".*\"url\":\"([^\"]+)\".*", "$1");
        var fetched = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(fetched.statusCode()).as("GET %s", url).isEqualTo(200);
        assertThat(fetched.body()).isEqualTo(png);
    }

    @Test
    void aBackgroundThatIsNotAnImageIsRefused() throws Exception {
        assertThat(put("/backgrounds/notes.txt", "text/plain", "hello".getBytes()).statusCode()).isEqualTo(415);
    }

    private static byte[] image(int size, long seed) {
        byte[] bytes = new byte[size];
        new SplittableRandom(seed).nextBytes(bytes);
        return bytes;
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> put(String path, String contentType, byte[] body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", contentType)
            .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
