package dev.kelp.bench.operator;

import io.fabric8.kubernetes.api.model.GroupVersionKind;
import io.fabric8.kubernetes.api.model.GroupVersionResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReview;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReviewBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import java.util.function.IntFunction;

/**
 * The webhook without the API server: AdmissionReviews of the same pods POSTed straight to the
 * operator's {@code /mutate-pods} over one kept-alive HTTPS connection (as the API server keeps
 * its connection to a webhook). Separates the operator's own time from the API server's, whose
 * histogram buckets are too coarse to tell 3 ms from 20.
 */
final class DirectAdmissionReviews {

    /** Round-trip latencies, and how many answers allowed the pod with a patch. */
    record Result(Percentiles roundTrip, int patched) {
    }

    /** Calls before the timed ones: the harness's own JVM (its HTTP client, TLS) is as cold as the operator's. */
    static final int WARM_UP = 1000;

    private DirectAdmissionReviews() {
    }

    static Result run(int port, String caPem, String namespace, int count, IntFunction<Pod> pods) throws Exception {
        URI url = URI.create("https://127.0.0.1:" + port + "/mutate-pods");
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(ReportingAgents.trusting(caPem))
            .connectTimeout(Duration.ofSeconds(5)).build()) {
            for (int i = 0; i < WARM_UP; i++) {
                parse(send(http, url, review(namespace, pods.apply(i % count))));
            }
            long[] latencies = new long[count];
            int patched = 0;
            for (int i = 0; i < count; i++) {
                String body = review(namespace, pods.apply(i));
                long t0 = System.nanoTime();
                String answer = send(http, url, body);
                latencies[i] = System.nanoTime() - t0;
                // Parsed outside the timed part: decoding the answer is the client's cost, not the webhook's.
                var response = parse(answer).getResponse();
                if (response != null && Boolean.TRUE.equals(response.getAllowed()) && response.getPatch() != null) {
                    patched++;
                }
            }
            return new Result(Percentiles.ofNanos(latencies), patched);
        }
    }

    private static String send(HttpClient http, URI url, String body) throws Exception {
        var response = http.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(5)).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("webhook answered HTTP " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    private static AdmissionReview parse(String answer) {
        return Serialization.unmarshal(answer, AdmissionReview.class);
    }

    private static String review(String namespace, Pod pod) {
        return Serialization.asJson(new AdmissionReviewBuilder().withApiVersion("admission.k8s.io/v1").withKind("AdmissionReview")
            .withNewRequest().withUid(UUID.randomUUID().toString())
                .withKind(new GroupVersionKind("", "Pod", "v1")).withResource(new GroupVersionResource("", "pods", "v1"))
                .withRequestKind(new GroupVersionKind("", "Pod", "v1")).withRequestResource(new GroupVersionResource("", "pods", "v1"))
                .withNamespace(namespace).withName(pod.getMetadata().getName()).withOperation("CREATE").withDryRun(false)
                .withObject(pod)
                .withNewUserInfo().withUsername("kelp-bench").endUserInfo()
            .endRequest().build());
    }
}
