package dev.kelp.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.micronaut.context.ApplicationContext;
import io.micronaut.json.JsonMapper;
import io.micronaut.runtime.server.EmbeddedServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Versions over the native API on the embedded default with versioning on (keep-last 3): list,
 * read each version, roll back, diff, delete markers, and every refusal, which changes nothing.
 */
class VersionApiTest {

    @TempDir
    static Path dir;
    static EmbeddedServer server;
    static HttpClient http = HttpClient.newHttpClient();
    static String base;
    static JsonMapper json;

    @BeforeAll
    static void start() {
        server = ApplicationContext.run(EmbeddedServer.class, Map.of(
            "micronaut.server.port", -1,
            "kelp.fallback.dir", dir.toString(),
            "kelp.storage.buckets", List.of("docs"),
            "kelp.versioning.enabled", true,
            "kelp.versioning.keep-last", 3,
            "kelp.versioning.diff-max-bytes", "64KiB"));
        base = "http://127.0.0.1:" + server.getPort() + "/v1/";
        json = server.getApplicationContext().getBean(JsonMapper.class);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static String key() {
        return "k-" + UUID.randomUUID().toString().substring(0, 8) + "/notes.txt";
    }

    static HttpResponse<String> send(String method, String path, byte[] body, String contentType) throws Exception {
        var b = HttpRequest.newBuilder(URI.create(base + path));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        b.method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofByteArray(body));
        return http.send(b.build(), BodyHandlers.ofString());
    }

    static String put(String key, String text) throws Exception {
        var r = send("PUT", "objects/docs/" + key, text.getBytes(StandardCharsets.UTF_8), "text/plain");
        assertThat(r.statusCode()).isEqualTo(201);
        String version = r.headers().firstValue("x-kelp-version-id").orElseThrow();
        assertThat(json.readValue(r.body(), ObjectInfo.class).version()).isEqualTo(version);
        return version;
    }

    static HttpResponse<byte[]> getVersion(String key, String version) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + "objects/docs/" + key + "?versionId=" + version)).GET().build(),
            BodyHandlers.ofByteArray());
    }

    static VersionListing versions(String key) throws Exception {
        var r = send("GET", "versions/docs/" + key, null, null);
        assertThat(r.statusCode()).isEqualTo(200);
        return json.readValue(r.body(), VersionListing.class);
    }

    static List<String> versionIds(String key) throws Exception {
        return versions(key).versions().stream().map(VersionInfo::version).toList();
    }

    @Test
    void everyVersionReadsBackByteForByteAndRetentionKeepsTheNewestThreeBesidesTheCurrent() throws Exception {
        String key = key();
        List<String> written = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            written.add(put(key, "line " + i + "\n"));
        }

        assertThat(versionIds(key)).containsExactly(written.get(5), written.get(4), written.get(3), written.get(2));
        for (int i = 2; i < 6; i++) {
            var got = getVersion(key, written.get(i));
            assertThat(got.statusCode()).isEqualTo(200);
            assertThat(new String(got.body(), StandardCharsets.UTF_8)).isEqualTo("line " + i + "\n");
            assertThat(got.headers().firstValue("x-kelp-version-id")).contains(written.get(i));
        }
        var current = send("GET", "objects/docs/" + key, null, null);
        assertThat(current.headers().firstValue("x-kelp-version-id")).contains(written.get(5));
        var head = http.send(HttpRequest.newBuilder(URI.create(base + "objects/docs/" + key + "?versionId=" + written.get(3)))
            .method("HEAD", BodyPublishers.noBody()).build(), BodyHandlers.discarding());
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.headers().firstValue("x-kelp-version-id")).contains(written.get(3));
        assertThat(getVersion(key, written.get(0)).statusCode()).as("pruned by keep-last").isEqualTo(404);
    }

    @Test
    void aDeleteLeavesAMarkerAndDeletingTheMarkerBringsTheObjectBack() throws Exception {
        String key = key();
        String v1 = put(key, "hello\n");

        var deleted = send("DELETE", "objects/docs/" + key, null, null);
        assertThat(deleted.statusCode()).isEqualTo(204);
        assertThat(deleted.headers().firstValue("x-kelp-delete-marker")).contains("true");
        String marker = deleted.headers().firstValue("x-kelp-version-id").orElseThrow();

        var gone = send("GET", "objects/docs/" + key, null, null);
        assertThat(gone.statusCode()).isEqualTo(404);
        assertThat(gone.headers().firstValue("x-kelp-delete-marker")).contains("true");
        assertThat(gone.headers().firstValue("x-kelp-version-id")).contains(marker);
        var listing = versions(key).versions();
        assertThat(listing).extracting(VersionInfo::version).containsExactly(marker, v1);
        assertThat(listing.getFirst().deleteMarker()).isTrue();
        assertThat(listing.getFirst().latest()).isTrue();
        var readMarker = getVersion(key, marker);
        assertThat(readMarker.statusCode()).isEqualTo(405);
        assertThat(readMarker.headers().firstValue("x-kelp-delete-marker")).contains("true");
        assertThat(getVersion(key, v1).statusCode()).isEqualTo(200);

        var undelete = send("DELETE", "objects/docs/" + key + "?versionId=" + marker, null, null);
        assertThat(undelete.statusCode()).isEqualTo(204);
        assertThat(undelete.headers().firstValue("x-kelp-delete-marker")).contains("true");
        var back = send("GET", "objects/docs/" + key, null, null);
        assertThat(back.statusCode()).isEqualTo(200);
        assertThat(back.body()).isEqualTo("hello\n");
    }

    @Test
    void aRollbackMakesANewCurrentVersionEqualToTheOldOne() throws Exception {
        String key = key();
        String v1 = put(key, "first draft\n");
        put(key, "second draft\n");

        var rolled = send("POST", "rollback/docs/" + key + "?versionId=" + v1, null, null);
        assertThat(rolled.statusCode()).isEqualTo(201);
        var info = json.readValue(rolled.body(), ObjectInfo.class);
        assertThat(info.version()).isNotEqualTo(v1);
        assertThat(rolled.headers().firstValue("x-kelp-version-id")).contains(info.version());
        assertThat(send("GET", "objects/docs/" + key, null, null).body()).isEqualTo("first draft\n");
        assertThat(versionIds(key)).hasSize(3).first().isEqualTo(info.version());
    }

    @Test
    void aDiffOfTwoTextVersionsIsAUnifiedDiff() throws Exception {
        String key = key();
        String v1 = put(key, "alpha\nbeta\ngamma\n");
        String v2 = put(key, "alpha\nBETA\ngamma\ndelta\n");

        var diff = send("GET", "diff/docs/" + key + "?from=" + v1 + "&to=" + v2, null, null);
        assertThat(diff.statusCode()).isEqualTo(200);
        assertThat(diff.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain");
        assertThat(diff.body()).isEqualTo("""
            --- %s@%s
            +++ %s@%s
            @@ -1,3 +1,4 @@
             alpha
            -beta
            +BETA
             gamma
            +delta
            """.formatted(key, v1, key, v2));
        var toCurrent = send("GET", "diff/docs/" + key + "?from=" + v1, null, null);
        assertThat(toCurrent.body()).isEqualTo(diff.body());
        assertThat(send("GET", "diff/docs/" + key + "?from=" + v2, null, null).body()).as("equal versions").isEmpty();
    }

    @Test
    void versionsOfAPrefixPageNewestFirstWithACursor() throws Exception {
        String prefix = "p-" + UUID.randomUUID().toString().substring(0, 8) + "/";
        List<String> expected = new ArrayList<>();
        for (String name : List.of("a", "b")) {
            String first = put(prefix + name, "1");
            String second = put(prefix + name, "2");
            expected.addAll(List.of(second, first));
        }
        List<String> seen = new ArrayList<>();
        String cursor = "";
        do {
            var r = send("GET", "versions/docs?prefix=" + prefix + "&limit=3&cursor=" + cursor, null, null);
            assertThat(r.statusCode()).isEqualTo(200);
            var page = json.readValue(r.body(), VersionListing.class);
            page.versions().forEach(v -> seen.add(v.version()));
            cursor = page.nextCursor() == null ? "" : page.nextCursor();
        } while (!cursor.isEmpty());
        assertThat(seen).containsExactlyElementsOf(expected);
    }

    // --- bad input: a clear 4xx, and nothing changed

    @Test
    void badVersionRequestsAreRefusedAndChangeNothing() throws Exception {
        String key = key();
        String v1 = put(key, "text\n");
        String v2 = put(key, "more text\n");
        String otherKey = key();
        String otherVersion = put(otherKey, "elsewhere\n");
        byte[] binary = new byte[1000];
        new Random(3).nextBytes(binary);
        binary[10] = 0;
        String binaryKey = key();
        var putBinary = send("PUT", "objects/docs/" + binaryKey, binary, "application/octet-stream");
        String b1 = putBinary.headers().firstValue("x-kelp-version-id").orElseThrow();
        String b2 = put(binaryKey, "now text\n");
        String bigKey = key();
        String big1 = put(bigKey, "x\n".repeat(40_000));
        put(bigKey, "small\n");
        String marker = send("DELETE", "objects/docs/" + otherKey, null, null).headers().firstValue("x-kelp-version-id").orElseThrow();
        String missing = dev.kelp.agent.versions.VersionIds.next();
        var before = List.of(versionIds(key), versionIds(otherKey), versionIds(binaryKey), versionIds(bigKey));

        assertRefused(getVersion(key, missing).statusCode(), "a version that does not exist", 404);
        assertRefused(getVersion(key, otherVersion).statusCode(), "a version of another key", 404);
        assertRefused(getVersion(key, "v1").statusCode(), "a malformed version id", 400);
        assertRefused(send("DELETE", "objects/docs/" + key + "?versionId=" + missing, null, null), 404, "NoSuchVersion");
        assertRefused(send("DELETE", "objects/docs/" + key + "?versionId=" + otherVersion, null, null), 404, "NoSuchVersion");
        assertRefused(send("DELETE", "objects/docs/" + key + "?versionId=12", null, null), 400, "InvalidVersionId");
        assertRefused(send("POST", "rollback/docs/" + key + "?versionId=" + missing, null, null), 404, "NoSuchVersion");
        assertRefused(send("POST", "rollback/docs/" + key + "?versionId=" + otherVersion, null, null), 404, "NoSuchVersion");
        assertRefused(send("POST", "rollback/docs/" + key + "?versionId=not-a-uuid", null, null), 400, "InvalidVersionId");
        assertRefused(send("POST", "rollback/docs/" + key, null, null), 400, "InvalidVersionId");
        assertRefused(send("POST", "rollback/docs/" + otherKey + "?versionId=" + marker, null, null), 409, "DeleteMarker");
        assertRefused(send("GET", "diff/docs/" + binaryKey + "?from=" + b1 + "&to=" + b2, null, null), 415, "NotText");
        assertRefused(send("GET", "diff/docs/" + bigKey + "?from=" + big1, null, null), 413, "DiffTooLarge");
        assertRefused(send("GET", "diff/docs/" + key + "?from=" + v1 + "&to=" + missing, null, null), 404, "NoSuchVersion");
        assertRefused(send("GET", "diff/docs/" + key + "?from=" + v1 + "&to=" + otherVersion, null, null), 404, "NoSuchVersion");
        assertRefused(send("GET", "diff/docs/" + key + "?from=bad&to=" + v2, null, null), 400, "InvalidVersionId");
        assertRefused(send("GET", "diff/docs/" + otherKey + "?from=" + marker + "&to=" + otherVersion, null, null), 409, "DeleteMarker");
        assertRefused(send("GET", "versions/docs?limit=0", null, null), 400, "InvalidArgument");
        assertRefused(send("GET", "versions/docs?cursor=" + Cursors.encode("no-newline"), null, null), 400, "InvalidCursor");
        assertRefused(send("GET", "versions/nobucket", null, null), 404, "NoSuchBucket");

        assertThat(List.of(versionIds(key), versionIds(otherKey), versionIds(binaryKey), versionIds(bigKey))).isEqualTo(before);
        assertThat(send("GET", "objects/docs/" + key, null, null).body()).isEqualTo("more text\n");
    }

    static void assertRefused(int status, String what, int expected) {
        assertThat(status).as(what).isEqualTo(expected);
    }

    static void assertRefused(HttpResponse<String> response, int status, String code) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(json.readValue(response.body(), ErrorBody.class).code()).isEqualTo(code);
    }
}
