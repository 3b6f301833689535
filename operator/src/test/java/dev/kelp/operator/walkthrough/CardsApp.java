package dev.kelp.operator.walkthrough;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.SplittableRandom;

/**
 * A user of the e-cards sample app, through its own HTTP API only: saves templates (JSON) and
 * background images, and remembers what it saved and what failed, so the test can find every
 * saved object on SeaweedFS afterwards.
 */
final class CardsApp {

    /** One object the app acknowledged, where the agent keeps it, and its exact bytes. */
    record Saved(String bucket, String name, byte[] bytes) {
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String base;
    // Content of this run only: blobs are content-addressed, so bytes an earlier run saved would
    // make the final check on SeaweedFS pass without this run's data being there.
    private final String run = UUID.randomUUID().toString();
    private final SplittableRandom random = new SplittableRandom(run.hashCode());
    final List<Saved> saved = new CopyOnWriteArrayList<>();
    final List<String> failures = new CopyOnWriteArrayList<>();
    private int count;

    CardsApp(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    boolean healthy() {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(base + "/healthz")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (Exception notYet) {
            return false;
        }
    }

    /** Saves one more template and one more background image of {@code imageBytes}. */
    synchronized void saveTemplateAndImage(int imageBytes) {
        int n = ++count;
        String template = "{\"title\":\"Card " + n + "\",\"run\":\"" + run + "\",\"background\":\"bg-" + n + ".png\"}";
        put("templates", "/templates/card-" + n, "card-" + n, "application/json", template.getBytes(StandardCharsets.UTF_8));
        byte[] image = new byte[imageBytes];
        random.nextBytes(image);
        put("backgrounds", "/backgrounds/bg-" + n + ".png", "bg-" + n + ".png", "image/png", image);
    }

    private void put(String bucket, String path, String name, String contentType, byte[] body) {
        try {
            var response = HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", contentType).PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 201) {
                saved.add(new Saved(bucket, name, body));
            } else {
                failures.add("PUT " + path + ": " + response.statusCode() + " " + response.body());
            }
        } catch (Exception e) {
            failures.add("PUT " + path + ": " + e);
        }
    }
}
