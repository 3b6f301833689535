package dev.kelp.agent.signing;

import static org.assertj.core.api.Assertions.assertThat;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signed agent URLs over real HTTP on the embedded default, with an API token set: a signed
 * URL works without the token, and a forged, altered, expired or misused one is refused with
 * its own code and changes nothing.
 */
class SignedUrlApiTest {

    static final String TOKEN = "Bearer t0ken-for-the-app";
    @TempDir
    static Path dir;
    static EmbeddedServer server;
    static final HttpClient http = HttpClient.newHttpClient();
    static String base;

    @BeforeAll
    static void start() {
        server = ApplicationContext.run(EmbeddedServer.class, Map.of(
            "micronaut.server.port", -1,
            "kelp.fallback.dir", dir.toString(),
            "kelp.storage.buckets", List.of("cards"),
            "kelp.api.token", TOKEN.substring("Bearer ".length())));
        base = "http://127.0.0.1:" + server.getPort();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static HttpResponse<String> sign(String json) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + "/v1/signed-urls")).header("Authorization", TOKEN)
            .header("Content-Type", "application/json").POST(BodyPublishers.ofString(json)).build(), BodyHandlers.ofString());
    }

    static String url(HttpResponse<String> signed) {
        assertThat(signed.statusCode()).as(signed.body()).isEqualTo(201);
        return signed.body().replaceAll(".*\"url\":\"([^\"]+)\".*", "$1");
    }

    static HttpResponse<String> put(String url, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "text/plain")
            .PUT(BodyPublishers.ofString(body)).build(), BodyHandlers.ofString());
    }

    static HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), BodyHandlers.ofString());
    }

    @Test
    void aSignedPutThenASignedGetWorkWithoutTheToken() throws Exception {
        String putUrl = url(sign("{\"bucket\":\"cards\",\"key\":\"shared/hello world.txt\",\"method\":\"PUT\",\"expiresInSeconds\":60}"));
        assertThat(putUrl).startsWith(base + "/v1/objects/cards/shared/hello%20world.txt?X-Kelp-Expires=");
        assertThat(put(putUrl, "hello").statusCode()).isEqualTo(201);

        var signedGet = sign("{\"bucket\":\"cards\",\"key\":\"shared/hello world.txt\"}");
        assertThat(signedGet.body()).contains("\"method\":\"GET\"", "\"signedBy\":\"agent\"");
        var got = get(url(signedGet));
        assertThat(got.statusCode()).isEqualTo(200);
        assertThat(got.body()).isEqualTo("hello");
        var head = http.send(HttpRequest.newBuilder(URI.create(url(signedGet))).method("HEAD", BodyPublishers.noBody()).build(),
            BodyHandlers.discarding());
        assertThat(head.statusCode()).as("a GET URL also allows HEAD").isEqualTo(200);

        assertThat(get(base + "/v1/objects/cards/shared/hello%20world.txt").statusCode()).as("no token, no signature").isEqualTo(401);
    }

    @Test
    void aGetUrlCannotWriteAndAnAlteredUrlIsRefused() throws Exception {
        put(url(sign("{\"bucket\":\"cards\",\"key\":\"keep.txt\",\"method\":\"PUT\"}")), "original");
        String getUrl = url(sign("{\"bucket\":\"cards\",\"key\":\"keep.txt\"}"));

        var write = put(getUrl, "overwritten");
        assertThat(write.statusCode()).isEqualTo(403);
        assertThat(write.body()).contains("SignatureDoesNotMatch");

        var otherKey = get(getUrl.replace("keep.txt", "other.txt"));
        assertThat(otherKey.statusCode()).isEqualTo(403);
        assertThat(otherKey.body()).contains("SignatureDoesNotMatch");

        var longerLife = get(getUrl.replaceAll("X-Kelp-Expires=(\\d+)", "X-Kelp-Expires=9$1"));
        assertThat(longerLife.statusCode()).isEqualTo(403);

        var forged = get(getUrl.replaceAll("X-Kelp-Signature=[0-9a-f]+", "X-Kelp-Signature=" + "ab".repeat(32)));
        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(forged.body()).contains("SignatureDoesNotMatch");

        var noExpiry = get(getUrl.replaceAll("X-Kelp-Expires=\\d+&", ""));
        assertThat(noExpiry.statusCode()).isEqualTo(400);

        assertThat(get(getUrl).body()).as("nothing changed").isEqualTo("original");
    }

    @Test
    void anExpiredUrlSaysSo() throws Exception {
        put(url(sign("{\"bucket\":\"cards\",\"key\":\"brief.txt\",\"method\":\"PUT\"}")), "brief");
        String getUrl = url(sign("{\"bucket\":\"cards\",\"key\":\"brief.txt\",\"expiresInSeconds\":1}"));
        Thread.sleep(2100);
        var expired = get(getUrl);
        assertThat(expired.statusCode()).isEqualTo(403);
        assertThat(expired.body()).contains("ExpiredSignature");
    }

    @Test
    void badRequestsForAUrlAreRefusedClearly() throws Exception {
        var unknownObject = sign("{\"bucket\":\"cards\",\"key\":\"nothing-here.txt\"}");
        assertThat(unknownObject.statusCode()).isEqualTo(404);
        var unknownBucket = sign("{\"bucket\":\"nope\",\"key\":\"a.txt\",\"method\":\"PUT\"}");
        assertThat(unknownBucket.statusCode()).isEqualTo(404);
        var badKey = sign("{\"bucket\":\"cards\",\"key\":\"../etc/passwd\",\"method\":\"PUT\"}");
        assertThat(badKey.statusCode()).isEqualTo(400);
        var badMethod = sign("{\"bucket\":\"cards\",\"key\":\"a.txt\",\"method\":\"DELETE\"}");
        assertThat(badMethod.statusCode()).isEqualTo(400);
        var tooLong = sign("{\"bucket\":\"cards\",\"key\":\"a.txt\",\"method\":\"PUT\",\"expiresInSeconds\":99999999}");
        assertThat(tooLong.statusCode()).isEqualTo(400);
        assertThat(tooLong.body()).contains("max-ttl");
        var noToken = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/signed-urls?X-Kelp-Signature=00"))
            .header("Content-Type", "application/json").POST(BodyPublishers.ofString("{\"bucket\":\"cards\",\"key\":\"a.txt\"}")).build(),
            BodyHandlers.ofString());
        assertThat(noToken.statusCode()).as("a signature parameter is no token for signing").isEqualTo(401);
    }

    @Test
    void theAgentsOwnKeyIsKeptOnTheFallbackVolume() throws Exception {
        assertThat(Files.size(dir.resolve(SigningKeys.KEY_FILE))).isEqualTo(32);
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(SigningKeys.KEY_FILE))))
            .as("readable by the agent only").isEqualTo("rw-------");
        assertThat(SigningKeys.ownKey(dir.resolve(SigningKeys.KEY_FILE))).as("read back, not remade")
            .isEqualTo(Files.readAllBytes(dir.resolve(SigningKeys.KEY_FILE)));
    }
}
