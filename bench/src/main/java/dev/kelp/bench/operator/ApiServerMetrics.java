package dev.kelp.bench.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The API server's own Prometheus counters, scraped from its {@code /metrics} before and after
 * a phase and subtracted: what the server counted is the authority on writes and webhook
 * latency, not what the harness believes it caused.
 */
final class ApiServerMetrics {

    static final String WEBHOOK_DURATION = "apiserver_admission_webhook_admission_duration_seconds";
    static final String REQUESTS = "apiserver_request_total";
    /** The verbs (as this metric spells them: HTTP methods, server-side apply as APPLY) that change something. */
    static final Set<String> WRITE_VERBS = Set.of("POST", "PUT", "PATCH", "APPLY", "DELETE", "DELETECOLLECTION");
    private static final Pattern LABEL = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    /** One scrape: sample (name and labels as printed) to value, only of the metrics used here. */
    record Snapshot(Map<String, Double> samples) {

        Snapshot minus(Snapshot before) {
            Map<String, Double> out = new HashMap<>();
            samples.forEach((k, v) -> out.put(k, v - before.samples.getOrDefault(k, 0.0)));
            return new Snapshot(out);
        }

        /** Writes per resource ("storagepolicies/status", "events", ...), from apiserver_request_total. */
        Map<String, Long> writesByResource() {
            Map<String, Long> out = new TreeMap<>();
            samples.forEach((key, value) -> {
                if (!key.startsWith(REQUESTS + "{") || value < 0.5) {
                    return;
                }
                Map<String, String> labels = labels(key);
                if (!WRITE_VERBS.contains(labels.get("verb"))) {
                    return;
                }
                String subresource = labels.getOrDefault("subresource", "");
                String resource = labels.get("resource") + (subresource.isEmpty() ? "" : "/" + subresource);
                out.merge(resource + " " + labels.get("verb"), Math.round(value), Long::sum);
            });
            return out;
        }

        /** The admission-duration histogram of one webhook, summed over its label sets. */
        WebhookHistogram webhook(String name) {
            TreeMap<Double, Double> buckets = new TreeMap<>();
            double count = 0;
            double sum = 0;
            for (var e : samples.entrySet()) {
                String key = e.getKey();
                if (!key.startsWith(WEBHOOK_DURATION) || !name.equals(labels(key).get("name"))) {
                    continue;
                }
                if (key.startsWith(WEBHOOK_DURATION + "_bucket{")) {
                    String le = labels(key).get("le");
                    buckets.merge(le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le), e.getValue(), Double::sum);
                } else if (key.startsWith(WEBHOOK_DURATION + "_count{")) {
                    count += e.getValue();
                } else if (key.startsWith(WEBHOOK_DURATION + "_sum{")) {
                    sum += e.getValue();
                }
            }
            return new WebhookHistogram(buckets, count, sum);
        }
    }

    /**
     * Cumulative buckets (upper bound in seconds to count). The API server's buckets for this
     * histogram are coarse (5 ms, 25 ms, 100 ms, ...), so a quantile is interpolated linearly
     * inside its bucket, as Prometheus' histogram_quantile does: a bound, not a measurement.
     */
    record WebhookHistogram(TreeMap<Double, Double> buckets, double count, double sumSeconds) {

        double meanMillis() {
            return count == 0 ? Double.NaN : sumSeconds / count * 1000;
        }

        double quantileMillis(double q) {
            if (count == 0) {
                return Double.NaN;
            }
            double rank = q * count;
            double lower = 0;
            double below = 0;
            for (var b : buckets.entrySet()) {
                if (b.getValue() >= rank) {
                    if (b.getKey().isInfinite()) {
                        return lower * 1000;
                    }
                    double inBucket = b.getValue() - below;
                    double fraction = inBucket == 0 ? 1 : (rank - below) / inBucket;
                    return (lower + (b.getKey() - lower) * fraction) * 1000;
                }
                lower = b.getKey();
                below = b.getValue();
            }
            return lower * 1000;
        }

        /** Share of calls that took at most {@code seconds} (a bucket bound). */
        double shareWithin(double seconds) {
            Double cumulative = buckets.get(seconds);
            return cumulative == null || count == 0 ? Double.NaN : cumulative / count;
        }
    }

    private ApiServerMetrics() {
    }

    static Snapshot scrape(KubernetesClient client) {
        String text = client.raw("/metrics");
        if (text == null) {
            throw new IllegalStateException("the API server answered nothing at /metrics");
        }
        Map<String, Double> samples = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("#") || !(line.startsWith(WEBHOOK_DURATION) || line.startsWith(REQUESTS + "{"))) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        return new Snapshot(samples);
    }

    static Map<String, String> labels(String sample) {
        Map<String, String> out = new HashMap<>();
        int open = sample.indexOf('{');
        if (open < 0) {
            return out;
        }
        Matcher m = LABEL.matcher(sample.substring(open));
        while (m.find()) {
            out.put(m.group(1), m.group(2));
        }
        return out;
    }
}
