package dev.kelp.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.agent.object.ContentHash;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The native API over real HTTP on the embedded default (local volume, embedded metadata):
 * what an app sees, including every refusal, which must change nothing.
 */
class ObjectApiTest {

    @TempDir
    static Path dir;
    static EmbeddedServer server;
    static HttpClient http = HttpClient.newHttpClient();
    static String base;

    @BeforeAll
    static void start() {
        server = ApplicationContext.run(EmbeddedServer.class, Map.of(
            "micronaut.server.port", -1,
            "kelp.fallback.dir", dir.toString(),
            "kelp.storage.buckets", List.of("cards", "images", "tiny"),
            "kelp.storage.max-object-size", "1MiB",
            "kelp.storage.allowed-content-types", List.of("text/*", "image/*", "application/octet-stream"),
            "kelp.storage.quota-max-objects", 50));
        base = "http://127.0.0.1:" + server.getPort() + "/v1/objects/";
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static HttpResponse<String> put(String path, String contentType, byte[] body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", contentType)
            .PUT(BodyPublishers.ofByteArray(body)).build(), BodyHandlers.ofString());
    }

    static HttpResponse<byte[]> get(String path, String... headers) throws Exception {
        var b = HttpRequest.newBuilder(URI.create(base + path)).GET();
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), BodyHandlers.ofByteArray());
    }

    @Test
    void putThenGetReturnsTheSameBytesWithEtagAndMetadata() throws Exception {
        byte[] body = new byte[200_000];
        new Random(7).nextBytes(body);
        var put = http.send(HttpRequest.newBuilder(URI.create(base + "images/bg/forest.png"))
            .header("Content-Type", "image/png").header("x-kelp-meta-author", "ada")
            .PUT(BodyPublishers.ofByteArray(body)).build(), BodyHandlers.ofString());
        assertThat(put.statusCode()).isEqualTo(201);
        String etag = "\"" + ContentHash.ofBytes(body).hex() + "\"";
        assertThat(put.headers().firstValue("ETag")).contains(etag);

        var got = get("images/bg/forest.png");
        assertThat(got.statusCode()).isEqualTo(200);
        assertThat(got.body()).isEqualTo(body);
        assertThat(got.headers().firstValue("Content-Type")).contains("image/png");
        assertThat(got.headers().firstValue("ETag")).contains(etag);
        assertThat(got.headers().firstValue("x-kelp-meta-author")).contains("ada");

        var notModified = get("images/bg/forest.png", "If-None-Match", etag);
        assertThat(notModified.statusCode()).isEqualTo(304);
    }

    @Test
    void tagsGoInAndComeBackAsXKelpTagging() throws Exception {
        var put = http.send(HttpRequest.newBuilder(URI.create(base + "cards/tagged.txt")).header("Content-Type", "text/plain")
            .header("x-kelp-tagging", "project=kelp&owner=ada%20l").PUT(BodyPublishers.ofString("tagged")).build(), BodyHandlers.ofString());
        assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
        var got = get("cards/tagged.txt");
        assertThat(got.headers().firstValue("x-kelp-tagging")).contains("project=kelp&owner=ada%20l");
        assertThat(get("cards/empty-tags.txt").headers().firstValue("x-kelp-tagging")).isEmpty();

        // Eleven tags, a duplicate key, a bad escape: 400 InvalidTag, and the object stays as it was.
        String eleven = String.join("&", java.util.stream.IntStream.range(0, 11).mapToObj(i -> "k" + i + "=v").toList());
        for (String bad : List.of(eleven, "a=1&a=2", "a=%zz")) {
            var refused = http.send(HttpRequest.newBuilder(URI.create(base + "cards/tagged.txt")).header("Content-Type", "text/plain")
                .header("x-kelp-tagging", bad).PUT(BodyPublishers.ofString("overwritten")).build(), BodyHandlers.ofString());
            assertThat(refused.statusCode()).as(bad).isEqualTo(400);
            assertThat(refused.body()).contains("InvalidTag");
        }
        var after = get("cards/tagged.txt");
        assertThat(new String(after.body())).isEqualTo("tagged");
        assertThat(after.headers().firstValue("x-kelp-tagging")).contains("project=kelp&owner=ada%20l");
        assertNothingStoredUnder("tagged-new");
    }

    @Test
    void aZeroByteObjectIsStoredAndReadBack() throws Exception {
        var put = put("cards/empty.txt", "text/plain", new byte[0]);
        assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
        assertThat(put.headers().firstValue("ETag")).contains("\"" + ContentHash.ofBytes(new byte[0]).hex() + "\"");

        var got = get("cards/empty.txt");
        assertThat(got.statusCode()).isEqualTo(200);
        assertThat(got.body()).isEmpty();
        assertThat(got.headers().firstValue("Content-Length")).contains("0");
    }

    @Test
    void rangeRequestsReturnPartialContent() throws Exception {
        put("cards/range.txt", "text/plain", "0123456789".getBytes(StandardCharsets.UTF_8));

        var part = get("cards/range.txt", "Range", "bytes=2-5");
        assertThat(part.statusCode()).isEqualTo(206);
        assertThat(new String(part.body(), StandardCharsets.UTF_8)).isEqualTo("2345");
        assertThat(part.headers().firstValue("Content-Range")).contains("bytes 2-5/10");

        var suffix = get("cards/range.txt", "Range", "bytes=-3");
        assertThat(new String(suffix.body(), StandardCharsets.UTF_8)).isEqualTo("789");

        var beyond = get("cards/range.txt", "Range", "bytes=10-");
        assertThat(beyond.statusCode()).isEqualTo(416);
        assertThat(beyond.headers().firstValue("Content-Range")).contains("bytes */10");
    }

    @Test
    void conditionalPutsProtectConcurrentEditors() throws Exception {
        var first = put("cards/cond.html", "text/html", "v1".getBytes());
        String etag = first.headers().firstValue("ETag").orElseThrow();

        var createOnly = http.send(HttpRequest.newBuilder(URI.create(base + "cards/cond.html"))
            .header("Content-Type", "text/html").header("If-None-Match", "*")
            .PUT(BodyPublishers.ofString("v2")).build(), BodyHandlers.ofString());
        assertThat(createOnly.statusCode()).isEqualTo(412);

        var stale = http.send(HttpRequest.newBuilder(URI.create(base + "cards/cond.html"))
            .header("Content-Type", "text/html").header("If-Match", "\"" + "0".repeat(64) + "\"")
            .PUT(BodyPublishers.ofString("v2")).build(), BodyHandlers.ofString());
        assertThat(stale.statusCode()).isEqualTo(412);
        assertThat(new String(get("cards/cond.html").body())).isEqualTo("v1");

        var fresh = http.send(HttpRequest.newBuilder(URI.create(base + "cards/cond.html"))
            .header("Content-Type", "text/html").header("If-Match", etag)
            .PUT(BodyPublishers.ofString("v2")).build(), BodyHandlers.ofString());
        assertThat(fresh.statusCode()).isEqualTo(201);
        assertThat(new String(get("cards/cond.html").body())).isEqualTo("v2");
    }

    @Test
    void headDescribesWithoutBodyAndDeleteRemoves() throws Exception {
        put("cards/gone.txt", "text/plain", "bye".getBytes());
        var head = http.send(HttpRequest.newBuilder(URI.create(base + "cards/gone.txt"))
            .method("HEAD", BodyPublishers.noBody()).build(), BodyHandlers.ofString());
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.headers().firstValue("Content-Length")).contains("3");

        var delete = http.send(HttpRequest.newBuilder(URI.create(base + "cards/gone.txt")).DELETE().build(), BodyHandlers.ofString());
        assertThat(delete.statusCode()).isEqualTo(204);
        assertThat(get("cards/gone.txt").statusCode()).isEqualTo(404);
        var again = http.send(HttpRequest.newBuilder(URI.create(base + "cards/gone.txt")).DELETE().build(), BodyHandlers.ofString());
        assertThat(again.statusCode()).isEqualTo(404);
    }

    @Test
    void listingPagesThroughKeysInOrderWithAPrefix() throws Exception {
        for (int i = 0; i < 7; i++) {
            put("cards/list/" + i + ".txt", "text/plain", ("n" + i).getBytes());
        }
        put("cards/other.txt", "text/plain", "x".getBytes());

        var page1 = http.send(HttpRequest.newBuilder(URI.create(base + "cards?prefix=list/&limit=4")).build(), BodyHandlers.ofString());
        assertThat(page1.statusCode()).isEqualTo(200);
        assertThat(page1.body()).contains("list/0.txt", "list/3.txt").doesNotContain("list/4.txt", "other.txt");
        String cursor = page1.body().replaceAll(".*\"nextCursor\":\"([^\"]+)\".*", "$1");

        var page2 = http.send(HttpRequest.newBuilder(URI.create(base + "cards?prefix=list/&limit=4&cursor=" + cursor)).build(), BodyHandlers.ofString());
        assertThat(page2.body()).contains("list/4.txt", "list/6.txt").doesNotContain("list/3.txt").doesNotContain("nextCursor\":\"");
    }

    @Test
    void sameContentUnderTwoKeysIsStoredOnce() throws Exception {
        byte[] body = "same bytes, two names".getBytes();
        put("cards/dedup-a.txt", "text/plain", body);
        put("cards/dedup-b.txt", "text/plain", body);

        String hex = ContentHash.ofBytes(body).hex();
        try (var blobs = Files.walk(dir.resolve("blobs"))) {
            assertThat(blobs.filter(p -> p.getFileName().toString().equals(hex)).count()).isEqualTo(1);
        }
        assertThat(get("cards/dedup-b.txt").body()).isEqualTo(body);
    }

    // ---- bad input: a clear 4xx/5xx and nothing changed ----

    @Test
    void pathTraversalIsRefusedRawAndEncoded() throws Exception {
        for (String raw : List.of("cards/../etc/passwd", "cards/a/%2e%2e/%2e%2e/etc/passwd", "cards/%2E%2E%2Fescape", "cards/a%5C..%5Cb")) {
            int status = rawRequest("PUT", "/v1/objects/" + raw, "x");
            assertThat(status).as(raw).isIn(400, 404);
        }
        assertThat(Files.exists(dir.resolveSibling("etc"))).isFalse();
        assertNothingStoredUnder("..");
    }

    @Test
    void controlCharactersAndOverlongKeysAreRefusedWith400() throws Exception {
        var control = put("cards/bad%0Aname", "text/plain", "x".getBytes());
        assertThat(control.statusCode()).isEqualTo(400);
        assertThat(control.body()).contains("InvalidKey").contains("control character");

        var nul = put("cards/bad%00name", "text/plain", "x".getBytes());
        assertThat(nul.statusCode()).isEqualTo(400);

        var overlong = put("cards/" + "k".repeat(1025), "text/plain", "x".getBytes());
        assertThat(overlong.statusCode()).isEqualTo(400);
        assertThat(overlong.body()).contains("1024 bytes");
    }

    @Test
    void unknownBucketIs404AndStoresNothing() throws Exception {
        var response = put("nosuchbucket/a.txt", "text/plain", "x".getBytes());
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).contains("NoSuchBucket");
    }

    @Test
    void oversizeBodyIs413AndLeavesNothingBehind() throws Exception {
        var response = put("cards/huge.bin", "application/octet-stream", new byte[1024 * 1024 + 1]);
        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.body()).contains("EntityTooLarge");
        assertThat(get("cards/huge.bin").statusCode()).isEqualTo(404);
        try (var staging = Files.list(dir.resolve("staging"))) {
            assertThat(staging.toList()).isEmpty();
        }
    }

    @Test
    void wrongContentTypeIs415() throws Exception {
        var response = put("cards/script.js", "application/javascript", "alert(1)".getBytes());
        assertThat(response.statusCode()).isEqualTo(415);
        assertThat(response.body()).contains("UnsupportedContentType");
        assertThat(get("cards/script.js").statusCode()).isEqualTo(404);
    }

    @Test
    void quotaExceededIs507AndTheObjectIsNotStored() throws Exception {
        // tiny shares the policy's object quota (50) with nothing else in this test.
        int stored = 0;
        HttpResponse<String> last = null;
        for (int i = 0; i < 60; i++) {
            last = put("tiny/q" + i, "text/plain", ("q" + i).getBytes());
            if (last.statusCode() != 201) {
                break;
            }
            stored++;
        }
        assertThat(stored).isEqualTo(50);
        assertThat(last.statusCode()).isEqualTo(507);
        assertThat(last.body()).contains("QuotaExceeded");
        assertThat(get("tiny/q50").statusCode()).isEqualTo(404);
        // Replacing an existing object does not add one: still allowed.
        assertThat(put("tiny/q0", "text/plain", "again".getBytes()).statusCode()).isEqualTo(201);
    }

    @Test
    void badListLimitAndForgedCursorAre400() throws Exception {
        assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "cards?limit=0")).build(), BodyHandlers.ofString()).statusCode()).isEqualTo(400);
        assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "cards?cursor=%21%21")).build(), BodyHandlers.ofString()).statusCode()).isEqualTo(400);
    }

    private void assertNothingStoredUnder(String prefix) throws Exception {
        var listing = http.send(HttpRequest.newBuilder(URI.create(base + "cards?prefix=" + prefix)).build(), BodyHandlers.ofString());
        assertThat(listing.body()).contains("\"objects\":[]");
    }

    /** Sends the path exactly as written (java.net.http would normalise dot segments). */
    private static int rawRequest(String method, String path, String body) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", server.getPort())) {
            String request = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n"
                + "Content-Length: " + body.length() + "\r\nConnection: close\r\n\r\n" + body;
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            String statusLine = new String(socket.getInputStream().readNBytes(12), StandardCharsets.ISO_8859_1);
            return Integer.parseInt(statusLine.substring(9, 12));
        }
    }

    @Test
    void forcingADrainWithoutSeaweedFsSaysWhy() throws Exception {
        var response = http.send(HttpRequest.newBuilder(URI.create(base.replace("/v1/objects/", "/v1/sync")))
            .POST(BodyPublishers.noBody()).build(), BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(409);
        assertThat(response.body()).contains("NoRemoteStore");
    }

    @Test
    void deduplicationStoresTheBytesAgainWhenTheBlobIsGoneFromTheStore() throws Exception {
        byte[] body = "same bytes, lost once".getBytes(StandardCharsets.UTF_8);
        assertThat(put("cards/dedup-a.txt", "text/plain", body).statusCode()).isEqualTo(201);
        String hash = ContentHash.ofBytes(body).hex();
        try (var files = Files.walk(dir.resolve("blobs"))) {
            for (Path blob : files.filter(f -> f.getFileName().toString().startsWith(hash)).toList()) {
                Files.delete(blob);   // the store lost it; the metadata still counts it live
            }
        }

        assertThat(put("cards/dedup-b.txt", "text/plain", body).statusCode()).isEqualTo(201);

        var read = http.send(HttpRequest.newBuilder(URI.create(base + "cards/dedup-b.txt")).build(), BodyHandlers.ofByteArray());
        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(read.body()).isEqualTo(body);
    }
}
